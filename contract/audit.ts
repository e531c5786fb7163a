import { z } from 'zod';

/** What someone did with a record (or tried: `login_failed`). */
export const auditActions = ['read', 'create', 'update', 'delete', 'act', 'reveal', 'export', 'login', 'login_failed', 'logout'] as const;
export const auditActionSchema = z.enum(auditActions);
export type AuditAction = z.infer<typeof auditActionSchema>;

/** The kinds of record the trail names. */
export const auditResources = ['resident', 'alarm', 'device', 'caregiver', 'user', 'area', 'shift', 'report', 'audit', 'session'] as const;
export const auditResourceSchema = z.enum(auditResources);
export type AuditResource = z.infer<typeof auditResourceSchema>;

/** One line of the audit trail, as written (append-only) and as GET /api/audit answers it. */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.date(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  action: auditActionSchema,
  resource: auditResourceSchema,
  resourceId: z.string().nullable(),
  /** The resident the record belongs to (a resident, their device or alarm), when known. */
  residentId: z.string().nullable(),
  method: z.string(),
  route: z.string(),
  status: z.number().int(),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'residentId'> & { residentId?: string | null };
