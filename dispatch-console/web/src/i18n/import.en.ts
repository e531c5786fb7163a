/** The import pages' texts (keys start with 'import.'). */
export const importEn = {
  'import.title': 'Import',
};
