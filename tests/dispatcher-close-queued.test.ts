import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatcherFixture, rows, type DispatcherFixture } from './helpers/dispatcher-fixture.ts';
import { waitFor } from './helpers/gateway-harness.ts';

/**
 * A resident presses again just after their alarm was resolved while the database was slow: the
 * close was decided from memory and its write is queued. The new press is its own alarm, alerted
 * at once, stored after the close, never joined to the closed one. The first alarm's row is held
 * by a real row lock, so PostgreSQL makes the new insert wait for the close; the ordering in
 * which the insert is refused first (the dispatcher's `insertAfter` branch, which used to end in
 * "database unavailable") is not what this test produces.
 */
describe('a press while the resident\'s previous close is still queued (PostgreSQL)', () => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ db: 'postgres', env: { CANCEL_WINDOW_S: '0', DB_DEADLINE_MS: '300' } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('opens the new alarm at once and writes it right after the close', async () => {
    const centre = await f.centre({ caregivers: 1 });
    const li = centre.caregivers[0]!;
    await f.online(li.wearable.id);
    await f.event(centre.pendant, centre.resident.id, 'button.pressed', {});
    const first = ((await f.api.get('/api/alarms?status=open')).body as Array<{ id: string }>)[0]!;
    await f.ack(li.wearable.id, first.id, 'accept');
    await f.ack(li.wearable.id, first.id, 'arrived');

    // another transaction holds the first alarm's row: its close cannot be written yet
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = f.main.db.withTransaction(async (q) => {
      await q.query('SELECT 1 FROM alarms WHERE id = $1 FOR UPDATE', [first.id]);
      locked();
      await held;
    });
    await isLocked;
    try {
      await f.ack(li.wearable.id, first.id, 'resolve', 'assisted'); // decided from memory after 300 ms
      expect(f.dispatcher.deciding).toBe('memory');

      const alertsBefore = f.to(li.wearable.id, 'alarm.alert').length;
      const pressed = f.event(centre.pendant, centre.resident.id, 'button.pressed', {});
      const alert = await f.sentWhere((s) => s.id === li.wearable.id && s.message.type === 'alarm.alert' && s.message.alarmId !== first.id);
      expect(f.to(li.wearable.id, 'alarm.alert').length).toBe(alertsBefore + 1); // the wrist buzzed for the new press at once
      release();
      await holder;
      await pressed; // acknowledged once both are written, without an error
      await waitFor(async () => f.dispatcher.queuedWrites === 0 && f.dispatcher.deciding === 'database', 30_000);

      const before = await f.until(first.id, (d) => d.status === 'resolved');
      expect(before.outcome).toBe('assisted');
      const second = await f.until(alert.message.alarmId as string, (d) => d.status === 'open');
      expect(second.residentId).toBe(centre.resident.id);
      expect(rows(second, 'alarm.raised')).toHaveLength(1);
      expect(rows(before, 'event.joined')).toHaveLength(0); // not joined to the closed one
    } finally {
      release();
      await holder.catch(() => undefined);
    }
  });
});
