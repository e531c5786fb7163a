/** The import pages' texts (keys start with 'import.'). */
export const importEn = {
  'import.title': 'Import',
  'import.intro':
    'A centre moving in: choose its CSV files (the first line names the columns). Validate checks every row and writes nothing; Import writes everything or, if any row is wrong, nothing. Running the same files again changes nothing.',
  'import.file.residents': 'Residents',
  'import.file.devices': 'Devices',
  'import.file.caregivers': 'Caregivers',
  'import.columns.residents':
    'ref (your id for the resident), name, grid (District/Street/Community/Grid; missing areas are created), address, phone, notes, access (key safe, door code), contact1_name, contact1_phone, contact1_relation, contact2_…',
  'import.columns.devices': 'id (empty: one is made), kind, resident_ref (empty for a wearable)',
  'import.columns.caregivers': 'ref (or phone as the key), name, phone, role (caregiver or supervisor), grids (paths separated by ;)',
  'import.validate': 'Validate',
  'import.run': 'Import',
  'import.busy': 'Working…',
  'import.refused': '{n} problem(s) found: nothing was imported. Correct these rows and try again.',
  'import.col.file': 'File',
  'import.col.line': 'Line',
  'import.col.field': 'Column',
  'import.col.reason': 'Problem',
  'import.checked': 'The files are correct. Import would do this:',
  'import.done': 'Imported.',
  'import.count.created': 'Created',
  'import.count.updated': 'Updated',
  'import.count.unchanged': 'Unchanged',
  'import.areasCreated': 'New areas ({n}):',
  'import.secrets.warning':
    'The new devices’ secrets are shown this once: download the file now and keep it safe. The service keeps only their hashes; a lost secret must be replaced on the Devices page.',
  'import.secrets.download': 'Download device secrets (CSV)',
};
