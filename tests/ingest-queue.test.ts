import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import { insertEvents, listDeviceEvents, type EventRow } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { IngestQueue } from '../gateway/ingest-queue.ts';
import { provisionResident } from './helpers/gateway-harness.ts';
import { createTestDb, dbKinds } from './helpers/test-db.ts';

// The group-commit queue over the real databases, fed rows directly (bypassing validation).
describe.each(dbKinds)('ingest queue on %s', (kind) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await createTestDb(kind));
  });
  afterAll(() => cleanup?.());

  const row = (deviceId: string, eventId: string, data: Record<string, unknown> = {}, fingerprint = 'f'): EventRow => ({
    deviceId,
    eventId,
    fingerprint,
    type: 'motion',
    deviceTs: undefined,
    receivedAt: new Date(),
    data,
  });

  it('isolates a row the database refuses, stores the rest of its batch, and reports the refusal', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!.id;
    const metrics = createMetrics();
    const q = new IngestQueue({ store: (rows) => insertEvents(db, rows), logger: createLogger('silent'), metrics });
    // NUL cannot be stored in jsonb: PostgreSQL refuses the statement (SQLSTATE 22P05)
    const results = await Promise.all([
      q.enqueue(row(dev, 'ok-1')),
      q.enqueue(row(dev, 'bad', { text: 'a\u0000b' })),
      q.enqueue(row(dev, 'ok-2')),
      q.enqueue(row(dev, 'ok-3')),
    ]);
    expect(results.map((r) => r.stored)).toEqual([true, false, true, true]);
    expect(results[1]!.refused).toBeTruthy();
    expect((await listDeviceEvents(db, dev)).map((e) => e.eventId).sort()).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect((await metrics.messagesRejected.get()).values.find((v) => v.labels.code === 'refused_by_database')?.value).toBe(1);
    // and the queue goes back to batching afterwards
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => q.enqueue(row(dev, `later-${i}`))));
    expect(more.every((r) => r.stored)).toBe(true);
  });

  it('treats the same id with new content as a new event (a device counter that restarted)', async () => {
    const { devices } = await provisionResident(db);
    const dev = devices[0]!.id;
    const q = new IngestQueue({ store: (rows) => insertEvents(db, rows), logger: createLogger('silent'), metrics: createMetrics() });
    expect((await q.enqueue(row(dev, '7', {}, 'fp-a'))).stored).toBe(true);
    expect((await q.enqueue(row(dev, '7', {}, 'fp-a'))).stored).toBe(false); // retransmission
    expect((await q.enqueue(row(dev, '7', {}, 'fp-b'))).stored).toBe(true); // reused id
    expect(await listDeviceEvents(db, dev)).toHaveLength(2);
  });
});
