import { z } from 'zod';
import { contactSchema, type Contact } from '../../contract/residents.ts';
import type { Queryable } from '../types.ts';

// a resident's contacts as routing reads them: a malformed list reaches nobody rather than failing the load
const contactsSchema = z.array(contactSchema).catch([]);

/** Everything the dispatcher routes with, read in one go and kept in memory. */
export interface DirectoryRows {
  areas: Array<{ id: string; name: string; kind: string; parentId: string | null }>;
  residents: Array<{ id: string; name: string; areaId: string; address: string | null; phone: string | null; notes: string | null; accessInfo: string | null; contacts: Contact[] }>;
  caregivers: Array<{ id: string; name: string; role: 'caregiver' | 'supervisor'; phone: string | null; wearableId: string | null; areaIds: string[] }>;
  /** Shifts that have not ended by `from` and start before `to`. */
  shifts: Array<{ caregiverId: string; start: Date; end: Date }>;
  wearables: Array<{ id: string; online: boolean }>;
  /** Accepted / on-site alarm counts per caregiver. */
  busy: Array<{ caregiverId: string; count: number }>;
}

export async function loadDirectoryRows(q: Queryable, from: Date, to: Date): Promise<DirectoryRows> {
  const areas = await q.query<DirectoryRows['areas'][number]>(`SELECT id, name, kind, parent_id AS "parentId" FROM areas`);
  const residents = await q.query<Omit<DirectoryRows['residents'][number], 'contacts'> & { contacts: unknown }>(
    `SELECT id, name, area_id AS "areaId", address, phone, notes, access_info AS "accessInfo", contacts FROM residents`,
  );
  const caregivers = await q.query<DirectoryRows['caregivers'][number]>(
    `SELECT c.id, c.name, c.role, c.phone, c.wearable_id AS "wearableId",
            COALESCE((SELECT jsonb_agg(ca.area_id) FROM caregiver_areas ca WHERE ca.caregiver_id = c.id), '[]'::jsonb) AS "areaIds"
       FROM caregivers c`,
  );
  const shifts = await q.query<DirectoryRows['shifts'][number]>(
    `SELECT caregiver_id AS "caregiverId", starts_at AS "start", ends_at AS "end" FROM shifts
      WHERE ends_at > $1::timestamptz AND starts_at < $2::timestamptz`,
    [from.toISOString(), to.toISOString()],
  );
  const wearables = await q.query<DirectoryRows['wearables'][number]>(`SELECT id, online FROM devices WHERE kind = 'wearable'`);
  const busy = await q.query<DirectoryRows['busy'][number]>(
    `SELECT accepted_by AS "caregiverId", count(*)::int AS count FROM alarms
      WHERE status IN ('accepted', 'on_site') AND accepted_by IS NOT NULL GROUP BY accepted_by`,
  );
  return {
    areas: areas.rows,
    residents: residents.rows.map((r) => ({ ...r, contacts: contactsSchema.parse(r.contacts) })),
    caregivers: caregivers.rows,
    shifts: shifts.rows,
    wearables: wearables.rows,
    busy: busy.rows,
  };
}

export const DIRECTORY_CHANNEL = 'homecare_directory';

/** Tells the other instances sharing this database that routing data changed. */
export async function announceDirectoryChange(q: Queryable, from: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [DIRECTORY_CHANNEL, from]);
}
