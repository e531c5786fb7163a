import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import type { RunningService } from '../../runtime/service.ts';
import { startTestService } from './service-fixture.ts';
import { createPgDatabase } from './test-db.ts';

/** The real Mosquitto every machine runs (anonymous on 127.0.0.1:1883). */
export const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/**
 * `count` dispatcher instances in MQTT_URL mode behind the real broker, sharing one fresh
 * PostgreSQL database, in this run's own share group (other runs on the broker get their own
 * copies) and leaving no sessions behind. Clients pushed to `clients` are closed afterwards.
 */
export function useBrokerInstances(count: number, env: Record<string, string> = {}) {
  const run = randomUUID().slice(0, 8);
  const services: RunningService[] = [];
  const clients: MqttClient[] = [];
  let dropDb: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await createPgDatabase();
    dropDb = db.drop;
    for (let n = 1; n <= count; n++) {
      services.push(
        await startTestService({
          DATABASE_URL: db.url,
          MQTT_URL: BROKER,
          MQTT_SHARE_GROUP: `test-${run}`,
          MQTT_CLIENT_ID: `homecare-test-${run}-${n}`,
          MQTT_SESSION_EXPIRY: '0',
          ...env,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const s of services) await s.close().catch(() => undefined);
    await dropDb?.();
  });
  return { run, services, clients };
}
