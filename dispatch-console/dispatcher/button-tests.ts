import { claimAbsenceNotice } from '../../db/queries/absence-facts.ts';
import { appendTimeline, type AlarmRecord } from '../../db/queries/alarms.ts';
import { loadButtonFacts } from '../../db/queries/button-tests.ts';
import { CENTRE_WIDE } from '../../db/scope.ts';
import type { Db } from '../../db/types.ts';
import type { ReceivedEvent } from '../../contract/received.ts';
import { buttonTestReminders, TEST_PERIOD_DAYS } from '../core/button-test-rules.ts';
import { localClock } from '../core/local-clock.ts';
import type { Notifier } from './notifier.ts';

const DAY = 86_400_000;

/**
 * A test event (`"data":{"test":true}`): no emergency. The gateway has stored the event (that
 * is the record); on the resident's active care alarm it is noted too (`test.recorded`), and
 * the device hears `test.ok` on its commands topic.
 */
export async function recordButtonTest(o: { db: Db; notifier: Notifier; active: AlarmRecord | undefined }, e: ReceivedEvent): Promise<void> {
  if (o.active) {
    await appendTimeline(o.db, [
      { alarmId: o.active.id, at: e.receivedAt, code: 'test.recorded', actor: { kind: 'resident', id: e.device.residentId ?? undefined }, detail: { deviceId: e.device.deviceId, eventId: e.event.id } },
    ]);
  }
  await o.notifier.toDevice(e.device.deviceId, { type: 'test.ok', eventId: e.event.id });
}

/** Sends `test.reminder` to the buttons untested for a week, once a day each (see button-test-rules.ts). */
export async function remindButtonTests(o: { db: Db; notifier: Notifier; isAway: (residentId: string) => boolean }, now: Date): Promise<number> {
  const rows = await loadButtonFacts(o.db, CENTRE_WIDE, new Date(now.getTime() - (TEST_PERIOD_DAYS + 1) * DAY));
  const facts = rows.map((r) => ({ ...r, away: o.isAway(r.residentId) }));
  let sent = 0;
  for (const r of buttonTestReminders(facts, localClock(now))) {
    if (!(await claimAbsenceNotice(o.db, r.key, now))) continue;
    await o.notifier.toDevice(r.deviceId, { type: 'test.reminder' });
    sent++;
  }
  return sent;
}
