import { z } from 'zod';

/**
 * Bulk import (POST /api/import): a centre's residents, their devices and its caregivers as CSV
 * text, checked whole before anything is written and written in one transaction.
 */
export const importFiles = ['residents', 'devices', 'caregivers'] as const;
export const importFileSchema = z.enum(importFiles);
export type ImportFile = z.infer<typeof importFileSchema>;

/** The columns each file may have (any order; the header row names them). `contactN_…` for N = 1…9. */
export const importColumns = {
  residents: {
    required: ['ref', 'name', 'grid'],
    optional: ['address', 'phone', 'notes', 'access'],
  },
  devices: { required: ['kind'], optional: ['id', 'resident_ref'] },
  caregivers: { required: ['name'], optional: ['ref', 'phone', 'role', 'grids'] },
} as const satisfies Record<ImportFile, { required: readonly string[]; optional: readonly string[] }>;

/** Contacts in the residents file: contact1_name, contact1_phone, contact1_relation, contact2_…. */
export const CONTACT_COLUMN = /^contact([1-9])_(name|phone|relation)$/;

// 20 MiB of CSV is some 100,000 residents: far beyond a centre, well inside memory.
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

export const importRequestSchema = z.strictObject({
  residents: z.string().optional().describe('CSV text: ref, name, grid, address, phone, notes, access, contact1_name, contact1_phone, contact1_relation, …'),
  devices: z.string().optional().describe('CSV text: id (generated when empty), kind, resident_ref'),
  caregivers: z.string().optional().describe('CSV text: ref, name, phone, role, grids ("path;path")'),
  dryRun: z.boolean().optional().describe('check and count only; nothing is written and no secret is made'),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

/** One bad row (or header): `line` as a spreadsheet numbers rows, the header being line 1. */
export const importIssueSchema = z.object({
  file: importFileSchema,
  line: z.number().int(),
  field: z.string().nullable(),
  reason: z.string(),
});
export type ImportIssue = z.infer<typeof importIssueSchema>;

export const importCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
export type ImportCounts = z.infer<typeof importCountsSchema>;

export const importResultSchema = z.object({
  dryRun: z.boolean(),
  residents: importCountsSchema,
  devices: importCountsSchema,
  caregivers: importCountsSchema,
  /** Area paths ("District/Street/Community/Grid") that did not exist and were (or would be) created. */
  areasCreated: z.array(z.string()),
  /**
   * The new devices' MQTT passwords as CSV (id,kind,resident_ref,secret): given this once, never
   * stored or logged. Null on a dry run or when no device was created.
   */
  secretsCsv: z.string().nullable(),
});
export type ImportResult = z.infer<typeof importResultSchema>;
