/** The audit page's filters, as the form holds them, and the GET /api/audit URL they make. */
export interface AuditQuery {
  /** Local date and time, YYYY-MM-DDTHH:MM (a datetime-local input's value); the minute of `to` is included. */
  from: string;
  to: string;
  /** A user's or resident's id (UUID), or '' for everyone. */
  userId: string;
  residentId: string;
}

/** Lines asked for at once (the API allows 1,000): beyond, the page says to narrow the period. */
export const AUDIT_LIMIT = 500;

const pad = (n: number) => String(n).padStart(2, '0');
/** A datetime-local input's value for an instant, on this computer's clock. */
export const localMinute = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** The last 24 hours up to this minute, everyone. */
export function defaultAuditQuery(now = new Date()): AuditQuery {
  return { from: localMinute(new Date(now.getTime() - 24 * 3600_000)), to: localMinute(now), userId: '', residentId: '' };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const validId = (id: string): boolean => id.trim() === '' || UUID.test(id.trim());

/** A datetime-local value as an instant (NaN when incomplete). */
const instant = (v: string): number => (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? new Date(v).getTime() : NaN);

export const validAuditRange = (q: AuditQuery): boolean => {
  const from = instant(q.from);
  const to = instant(q.to);
  return Number.isFinite(from) && Number.isFinite(to) && from <= to;
};

/**
 * The API's period is [from, to): the chosen "to" minute is included by asking up to the next
 * one, so an entry written in this very minute is shown.
 */
export function auditUrl(q: AuditQuery): string {
  const params = new URLSearchParams({
    from: new Date(instant(q.from)).toISOString(),
    to: new Date(instant(q.to) + 60_000).toISOString(),
    limit: String(AUDIT_LIMIT),
  });
  if (q.userId.trim()) params.set('userId', q.userId.trim().toLowerCase());
  if (q.residentId.trim()) params.set('residentId', q.residentId.trim().toLowerCase());
  return `/api/audit?${params.toString()}`;
}
