import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import type { RunningService } from '../runtime/service.ts';
import { ack, alertOf, commandOf, press, provisionCentre } from './helpers/care-centre.ts';
import { connect, waitFor } from './helpers/gateway-harness.ts';
import { apiClient, startTestService } from './helpers/service-harness.ts';
import { createPgDatabase } from './helpers/test-db.ts';

// MQTT_URL mode: two dispatcher instances behind the real Mosquitto, sharing one PostgreSQL.
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('MQTT_URL: alarms through an external broker with two dispatcher instances', () => {
  const run = randomUUID().slice(0, 8);
  const services: RunningService[] = [];
  const clients: MqttClient[] = [];
  let dropDb: () => Promise<void>;

  beforeAll(async () => {
    const db = await createPgDatabase();
    dropDb = db.drop;
    for (const n of [1, 2]) {
      services.push(
        await startTestService({
          DATABASE_URL: db.url,
          MQTT_URL: BROKER,
          MQTT_SHARE_GROUP: `test-${run}`,
          MQTT_CLIENT_ID: `homecare-test-${run}-${n}`,
          MQTT_SESSION_EXPIRY: '0',
          MQTT_INGEST_LANES: '2',
        }),
      );
    }
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const s of services) await s.close();
    await dropDb?.();
  });

  it('alerts a wearable on the broker, takes its accept on either instance, and tells the pendant', async () => {
    const api = apiClient(services[0]!.httpUrl);
    await api.login();
    const centre = await provisionCentre(api, { caregivers: 1 });
    const li = centre.caregivers[0]!;
    // the external broker authenticates devices; here it is anonymous
    const pendant = await connect(BROKER, { clientId: `pendant-${run}` });
    const wrist = await connect(BROKER, { clientId: `wrist-${run}` });
    clients.push(pendant, wrist);
    await pendant.subscribeAsync(topics.deviceCommands(centre.pendant.id), { qos: 1 });
    await wrist.subscribeAsync(topics.wearableAlerts(li.wearable.id), { qos: 1 });

    for (let round = 0; round < 3; round++) {
      const alerted = alertOf(wrist, li.wearable.id);
      await press(pendant, centre.pendant.id);
      const alert = await alerted;
      expect(alert).toMatchObject({ type: 'alarm.alert', priority: 'emergency', resident: { name: 'Huang Xueying' } });
      const coming = commandOf(pendant, centre.pendant.id);
      await ack(wrist, li.wearable.id, alert.alarmId, 'accept');
      expect(await coming).toMatchObject({ type: 'alarm.accepted', alarmId: alert.alarmId, by: 'Li Na' });
      await ack(wrist, li.wearable.id, alert.alarmId, 'resolve', 'assisted');
      await waitFor(async () => (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body.status === 'resolved');
    }
    // one alarm per press, none left open, whichever instance handled what
    const all = (await api.call('GET', '/api/alarms?status=all')).body;
    expect(all).toHaveLength(3);
    expect((await api.call('GET', '/api/alarms?status=open')).body).toEqual([]);
  });
});
