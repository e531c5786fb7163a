import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import { DEFAULT_POLICIES } from '../contract/escalation-policy.ts';
import { getAlarm, getTimeline, insertAlarm, lockAlarmWriteId } from '../db/queries/alarms.ts';
import type { Db } from '../db/types.ts';
import { Effects, newAlarm, SYSTEM } from '../dispatch-console/core/alarm-state.ts';
import { AlarmWriter, type Write } from '../dispatch-console/dispatcher/alarm-writer.ts';
import { createTestDb } from './helpers/test-db.ts';
import { CENTRE_WIDE } from '../db/scope.ts';

/**
 * The writes of decisions made while the database was away: per alarm in order, and exactly
 * once, including the replay of a decision whose COMMIT landed although its answer was lost.
 */
describe.each(['embedded', 'postgres'] as const)('AlarmWriter on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let writer: AlarmWriter;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb(kind));
    writer = new AlarmWriter({ db, logger: createLogger('silent'), metrics: createMetrics(), deadlineMs: 5_000, stopped: () => false });
  });
  afterAll(async () => cleanup?.());

  async function storedAlarm() {
    const a = newAlarm({ id: randomUUID(), deviceId: 'pendant-x', kind: 'button.pressed', priority: 'emergency', raisedAt: new Date(), resident: undefined, policy: DEFAULT_POLICIES.emergency, replyCode: String(100_000 + Math.floor(Math.random() * 900_000)) });
    expect(await insertAlarm(db, a)).toEqual({ kind: 'inserted' });
    return a;
  }
  /** A decision on `base`: the new step and one timeline row. */
  function decision(base: ReturnType<typeof newAlarm>, step: number): Write {
    const fx = new Effects(base, randomUUID);
    fx.alarm = { ...base, step, token: base.token + 1 };
    fx.log('console.called', SYSTEM, new Date(), { reason: `step ${step}` } as never);
    return { fx, base, writeId: randomUUID() };
  }

  it('a replayed decision (its commit had landed) is not written twice', async () => {
    const a = await storedAlarm();
    const w = decision(a, 2);
    await writer.later(w);
    await writer.later(w); // the replay
    expect((await lockAlarmWriteId(db, a.id))?.writeId).toBe(w.writeId);
    const rows = await getTimeline(db, a.id);
    expect(rows.filter((r) => r.code === 'console.called')).toHaveLength(1);
  });

  it('decisions of one alarm land in the order they were made', async () => {
    const a = await storedAlarm();
    const w2 = decision(a, 2);
    const w3 = decision(w2.fx.alarm, 3);
    const w4 = decision(w3.fx.alarm, 4);
    await Promise.all([writer.later(w2), writer.later(w3), writer.later(w4)]);
    expect((await getAlarm(db, CENTRE_WIDE, a.id))?.step).toBe(4);
    const rows = (await getTimeline(db, a.id)).filter((r) => r.code === 'console.called');
    expect(rows.map((r) => (r.detail as { reason: string }).reason)).toEqual(['step 2', 'step 3', 'step 4']);
  });
});
