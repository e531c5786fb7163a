import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { insertResident } from '../db/queries/residents.ts';
import { alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { provisionDevice, waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

// A resident and pendant written straight to the database (another instance, an import) are not
// in this instance's directory yet; a press re-reads it, but waits at most 250 ms before routing.
// Here the read is held by a real lock on `rotas` (read by the directory, not by a press's path)
// until the alarm has opened without them.
describe('a press from a resident the directory has not read yet (PostgreSQL)', () => {
  const { f, track } = useService({}, 'postgres');

  it('opens at once as an unassigned device, then names the resident and asks their grid once the read lands', async () => {
    const centre = await provisionCentre(f.api);
    const li = track(await connectWearable(f.service.mqttUrl, centre.caregivers[0]!.wearable));
    track(await connectWearable(f.service.mqttUrl, centre.caregivers[1]!.wearable));
    const db = f.service.db;
    const newcomer = await insertResident(db, { name: 'Qian Shu', areaId: centre.grid.id, address: '7 Plum Court', phone: null, notes: 'lives on the 5th floor', contacts: [] });
    const pendant = await provisionDevice(db, `pendant-new-${Date.now()}`, 'pendant', newcomer.id);
    const device = track(await connectDevice(f.service.mqttUrl, pendant));

    const locker = new pg.Client({ connectionString: f.service.config.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE rotas IN ACCESS EXCLUSIVE MODE'); // the directory's read now waits
      await press(device, pendant.id);
      const opened = await waitFor(async () => {
        const r = await db.query<{ id: string; resident_id: string | null; status: string }>('SELECT id, resident_id, status FROM alarms WHERE device_id = $1', [pendant.id]);
        return r.rows[0];
      }, 10_000);
      expect(opened).toMatchObject({ resident_id: null, status: 'open' }); // nobody waited for the directory
      const firstAlert = alertOf(li, centre.caregivers[0]!.wearable.id, 15_000);
      await locker.query('COMMIT');

      // the read lands: the alarm is the newcomer's, and their grid's caregiver is asked with who and where
      const alert = await firstAlert;
      expect(alert).toMatchObject({ alarmId: opened.id, resident: { name: 'Qian Shu', address: '7 Plum Court' } });
      const res = await f.api.get(`/api/alarms/${opened.id}`);
      expect(res.body).toMatchObject({ residentId: newcomer.id, areaId: centre.grid.id, resident: { name: 'Qian Shu' }, status: 'open' });
      const codes = (res.body.timeline as Array<{ code: string }>).map((t) => t.code);
      expect(codes).toContain('resident.identified');
      expect(codes.indexOf('resident.identified')).toBeGreaterThan(codes.indexOf('alarm.raised'));

      // the resident's next press joins that alarm rather than opening a second one
      await press(device, pendant.id);
      await waitFor(async () => (await f.api.get(`/api/alarms/${opened.id}`)).body.eventCount === 2, 10_000);
      const all = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alarms WHERE device_id = $1', [pendant.id]);
      expect(all.rows[0]!.n).toBe(1);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  }, 60_000);
});
