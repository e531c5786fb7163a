import { z } from 'zod';
import { contactSchema, type Contact } from '../../contract/residents.ts';
import { residentSettingsSchema, type ResidentSettings } from '../../contract/resident-settings.ts';
import type { Queryable } from '../types.ts';
import type { WeekDay } from '../../contract/duty.ts';

// a resident's contacts as routing reads them: a malformed list reaches nobody rather than failing the load
const contactsSchema = z.array(contactSchema).catch([]);
// and their rule settings: malformed ones fall back to the centre's defaults
const settingsSchema = residentSettingsSchema.catch({});

/** Everything the dispatcher routes with, read in one go and kept in memory. */
export interface DirectoryRows {
  areas: Array<{ id: string; name: string; kind: string; parentId: string | null }>;
  residents: Array<{ id: string; name: string; areaId: string; address: string | null; phone: string | null; notes: string | null; accessInfo: string | null; contacts: Contact[]; settings: ResidentSettings }>;
  caregivers: Array<{ id: string; name: string; role: 'caregiver' | 'supervisor'; phone: string | null; wearableId: string | null; areaIds: string[]; skills: string[] }>;
  /** What duty is expanded from (loadDutyRows). */
  duty: DutyRows;
  wearables: Array<{ id: string; online: boolean }>;
  /** Accepted / on-site alarm counts per caregiver. */
  busy: Array<{ caregiverId: string; count: number }>;
}

/** Rotas (all), and the one-off shifts and absences overlapping [from, to). */
export interface DutyRows {
  rotas: Array<{ caregiverId: string; days: WeekDay[]; start: string; end: string; from: string; until: string | null }>;
  shifts: Array<{ caregiverId: string; start: Date; end: Date }>;
  absences: Array<{ caregiverId: string; start: Date; end: Date }>;
}

/** `caregiverIds`: only theirs (null: everyone's). */
export async function loadDutyRows(q: Queryable, from: Date, to: Date, caregiverIds: readonly string[] | null = null): Promise<DutyRows> {
  const who = caregiverIds === null ? null : [...caregiverIds];
  const rotas = await q.query<DutyRows['rotas'][number]>(
    `SELECT caregiver_id AS "caregiverId", days, start_time AS "start", end_time AS "end", valid_from::text AS "from", valid_until::text AS "until"
       FROM rotas WHERE ($1::uuid[] IS NULL OR caregiver_id = ANY($1::uuid[]))`,
    [who],
  );
  // a rota's shift overlapping the window is kept whole, reaching up to ~2 days past its edge:
  // the absences that may cut it (and shifts that may join it) are read that far too
  const margin = 2 * 86_400_000;
  const window = (table: string) =>
    q.query<DutyRows['shifts'][number]>(
      `SELECT caregiver_id AS "caregiverId", starts_at AS "start", ends_at AS "end" FROM ${table}
        WHERE ends_at > $1::timestamptz AND starts_at < $2::timestamptz AND ($3::uuid[] IS NULL OR caregiver_id = ANY($3::uuid[]))`,
      [new Date(from.getTime() - margin).toISOString(), new Date(to.getTime() + margin).toISOString(), who],
    );
  return { rotas: rotas.rows, shifts: (await window('shifts')).rows, absences: (await window('absences')).rows };
}

export async function loadDirectoryRows(q: Queryable, from: Date, to: Date): Promise<DirectoryRows> {
  const areas = await q.query<DirectoryRows['areas'][number]>(`SELECT id, name, kind, parent_id AS "parentId" FROM areas`);
  const residents = await q.query<Omit<DirectoryRows['residents'][number], 'contacts' | 'settings'> & { contacts: unknown; settings: unknown }>(
    `SELECT id, name, area_id AS "areaId", address, phone, notes, access_info AS "accessInfo", contacts, settings FROM residents`,
  );
  const caregivers = await q.query<DirectoryRows['caregivers'][number]>(
    `SELECT c.id, c.name, c.role, c.phone, c.wearable_id AS "wearableId", c.skills,
            COALESCE((SELECT jsonb_agg(ca.area_id) FROM caregiver_areas ca WHERE ca.caregiver_id = c.id), '[]'::jsonb) AS "areaIds"
       FROM caregivers c`,
  );
  const duty = await loadDutyRows(q, from, to);
  const wearables = await q.query<DirectoryRows['wearables'][number]>(`SELECT id, online FROM devices WHERE kind = 'wearable'`);
  const busy = await q.query<DirectoryRows['busy'][number]>(
    `SELECT accepted_by AS "caregiverId", count(*)::int AS count FROM alarms
      WHERE status IN ('accepted', 'on_site') AND accepted_by IS NOT NULL GROUP BY accepted_by`,
  );
  return {
    areas: areas.rows,
    residents: residents.rows.map((r) => ({ ...r, contacts: contactsSchema.parse(r.contacts), settings: settingsSchema.parse(r.settings) })),
    caregivers: caregivers.rows,
    duty,
    wearables: wearables.rows,
    busy: busy.rows,
  };
}

export const DIRECTORY_CHANNEL = 'homecare_directory';

/** Tells the other instances sharing this database that routing data changed. */
export async function announceDirectoryChange(q: Queryable, from: string): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [DIRECTORY_CHANNEL, from]);
}
