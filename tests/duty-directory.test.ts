/**
 * The dispatcher's directory keeps duty as expanded intervals (rotas + shifts − absences) over
 * a window around its clock: as time passes and it re-reads, a rota keeps producing duty; the
 * routing pool, the board's shift window and GET /api/on-duty's answer (from the directory, or
 * expanded from the rows when no directory holds the time) agree. Europe/Berlin on the night
 * the clocks go back: a Saturday 20:00-08:00 rota is 13 hours. Both databases, manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/clock.ts';
import { insertAbsence } from '../db/queries/absences.ts';
import { insertArea } from '../db/queries/areas.ts';
import { insertCaregiver } from '../db/queries/caregivers.ts';
import { insertResident } from '../db/queries/residents.ts';
import { insertRota } from '../db/queries/rotas.ts';
import { CENTRE_WIDE } from '../db/scope.ts';
import type { Db } from '../db/types.ts';
import { onDutyAnswer } from '../dispatch-console/console/duty-answers.ts';
import { DispatchDirectory } from '../dispatch-console/dispatcher/directory.ts';
import { createTestDb } from './helpers/test-db.ts';

describe.each(['embedded', 'postgres'] as const)('duty in the dispatch directory on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await createTestDb(kind)));
  afterAll(() => cleanup?.());

  it('re-expands the rota as its clock moves on; routing, shift window and on-duty answer agree', async () => {
    const community = await insertArea(db, { name: 'Linden', kind: 'community', parentId: null });
    const grid = await insertArea(db, { name: 'Linden 1', kind: 'grid', parentId: community.id });
    const resident = await insertResident(db, { name: 'Erna Kuhn', areaId: grid.id, address: null, phone: null, notes: null, contacts: [] });
    const night = await insertCaregiver(db, CENTRE_WIDE, { name: 'Nacht Nora', phone: '+4930000001', wearableId: null, role: 'caregiver', areaIds: [grid.id] });
    // assigned to the community: covers the grid too, but only on Sundays by day
    const day = await insertCaregiver(db, CENTRE_WIDE, { name: 'Tag Tim', phone: '+4930000002', wearableId: null, role: 'caregiver', areaIds: [community.id] });
    await insertRota(db, night.id, { days: ['sat'], start: '20:00', end: '08:00', from: '2026-10-01', until: null });
    await insertRota(db, day.id, { days: ['sun'], start: '08:00', end: '20:00', from: '2026-10-01', until: null });

    const clock = new ManualClock('2026-10-20T12:00:00Z'); // a Tuesday: nobody's rota
    const dir = new DispatchDirectory(db, clock, 'Europe/Berlin');
    await dir.refresh();
    const saturdayNight = new Date('2026-10-24T21:00:00Z');
    expect(dir.onDuty(clock.now()).size).toBe(0);
    expect(dir.roster.holds(saturdayNight)).toBe(false);
    // outside the directory's window the answer is expanded from the rows: the same rules
    const ahead = await onDutyAnswer({ db, directory: dir }, CENTRE_WIDE, saturdayNight);
    expect(ahead).toEqual([{ areaId: grid.id, name: 'Linden 1', caregivers: [{ id: night.id, name: 'Nacht Nora', until: new Date('2026-10-25T07:00:00Z'), wearableOnline: false }] }]);

    // Saturday evening: the periodic re-read brings the night rota into the window
    await clock.advanceTo(new Date('2026-10-24T20:00:00Z'));
    await dir.refresh();
    expect(dir.roster.holds(saturdayNight)).toBe(true);
    expect(dir.isOnDuty(night.id, clock.now())).toBe(true);
    // 20:00 CEST to 08:00 CET: 13 hours, and Tim follows at 08:00 CET
    expect(dir.shiftWindow(night.id, clock.now())).toEqual({ endsAt: new Date('2026-10-25T07:00:00Z'), nextAt: null });
    expect(dir.shiftWindow(day.id, clock.now())).toEqual({ endsAt: null, nextAt: new Date('2026-10-25T07:00:00Z') });
    expect(dir.routingPool(resident.id, clock.now()).grid.map((c) => c.name)).toEqual(['Nacht Nora']);
    expect(await onDutyAnswer({ db, directory: dir }, CENTRE_WIDE, saturdayNight)).toEqual(ahead);
    expect(await onDutyAnswer({ db, timeZone: 'Europe/Berlin' }, CENTRE_WIDE, saturdayNight)).toEqual(ahead);

    // Sunday by day: Tim, from the community circle (routing asks him once the grid has nobody)
    await clock.advanceTo(new Date('2026-10-25T09:00:00Z'));
    await dir.refresh();
    const pool = dir.routingPool(resident.id, clock.now());
    expect([pool.grid.map((c) => c.name), pool.community.map((c) => c.name)]).toEqual([[], ['Tag Tim']]);
    expect((await onDutyAnswer({ db, directory: dir }, CENTRE_WIDE, clock.now()))[0]!.caregivers.map((c) => c.name)).toEqual(['Tag Tim']);

    // an absence takes Tim off duty at the next read, whatever his rota says
    await insertAbsence(db, { caregiverId: day.id, start: new Date('2026-10-25T08:30:00Z'), end: new Date('2026-10-25T12:00:00Z'), reason: 'training' });
    await dir.refresh();
    expect(dir.isOnDuty(day.id, clock.now())).toBe(false);
    expect(dir.shiftWindow(day.id, clock.now())).toEqual({ endsAt: null, nextAt: new Date('2026-10-25T12:00:00Z') });
    expect((await onDutyAnswer({ db, directory: dir }, CENTRE_WIDE, clock.now()))[0]!.caregivers).toEqual([]);
    expect(await onDutyAnswer({ db, timeZone: 'Europe/Berlin' }, CENTRE_WIDE, clock.now())).toEqual(await onDutyAnswer({ db, directory: dir }, CENTRE_WIDE, clock.now()));
  });
});
