import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { apiClient } from './helpers/api-client.ts';
import { connectDevice, press, provisionCentre } from './helpers/care-centre.ts';
import { startFakeTwilio } from './helpers/fake-twilio.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { rawSubscriber } from './helpers/raw-mqtt.ts';
import { startTestService } from './helpers/service-fixture.ts';

/**
 * End to end, real sockets: the only wrist an alarm's step asked stops answering (a phone that
 * lost coverage: no more PINGREQ, nothing read). The broker drops it at its keepalive, and the
 * alert does not wait out the step's ten minutes: the step moves on and its owner is texted.
 */

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'wrist-gone-auth-token-0123456789abc';
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 600 }, { kind: 'all_in_grid', acceptWithinS: 600 }, { kind: 'console', acceptWithinS: 600 }] },
});

/** A wrist over a raw socket: CONNECT (keepalive 1 s), SUBSCRIBE to its alerts, then silence. */
async function silentWrist(port: number, w: { id: string; secret: string }): Promise<{ closed: Promise<void> }> {
  const { socket, handshake, closed } = await rawSubscriber(port, w, topics.wearableAlerts(w.id), { keepaliveS: 1 });
  expect([...handshake.subarray(0, 9)]).toEqual([0x20, 2, 0, 0, 0x90, 3, 0, 1, 1]); // CONNACK accepted, SUBACK QoS 1
  socket.on('data', () => undefined); // reads (the kernel would anyway) but never answers or pings
  return { closed };
}

describe('the only wrist a step asked goes silent (real service, real sockets)', () => {
  it('is dropped at its keepalive, and the step moves on at once, texting its owner', async () => {
    const fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    cleanups.push(() => fake.close());
    const service = await startTestService({
      ALARM_POLICY: POLICY,
      CANCEL_WINDOW_S: '0',
      WRIST_LOST_AFTER_S: '1',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: fake.url,
    });
    cleanups.push(() => service.close());
    const api = apiClient(service.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers; // Wang's wrist is off: step 1 asks Li's
    const port = Number(new URL(service.mqttUrl).port);
    const pendant = await connectDevice(service.mqttUrl, centre.pendant);
    cleanups.push(() => pendant.end(true));
    const wrist = await silentWrist(port, li!.wearable);
    await waitFor(async () => (await api.call('GET', `/api/devices/${li!.wearable.id}`)).body.online === true);

    const pressedAt = Date.now();
    await press(pendant, centre.pendant.id);
    const alarmId = await waitFor(async () => {
      const list = (await api.call('GET', '/api/alarms?status=open')).body as Array<{ id: string; residentId: string }>;
      return list.find((a) => a.residentId === centre.resident.id)?.id;
    });
    const one = (await api.call('GET', `/api/alarms/${alarmId}`)).body;
    expect(one.notifications.map((n: { step: number; channel: string; recipientName: string }) => `${n.step}:${n.channel}:${n.recipientName}`)).toEqual(['1:wearable:Li Na']);

    await wrist.closed; // the broker gave up on it (1.5 × keepalive)
    const d = await waitFor(async () => {
      const x = (await api.call('GET', `/api/alarms/${alarmId}`)).body;
      return x.step === 2 && x;
    }, 30_000);
    expect(Date.parse(d.timeline.filter((t: { code: string }) => t.code === 'step.started')[1].at) - pressedAt).toBeLessThan(60_000); // not the step's 600 s
    const sms = await waitFor(async () => fake.messages.find((m) => m.to === li!.phone && m.body.includes(d.replyCode)), 30_000);
    expect(sms).toBeDefined();
    expect(fake.messages.some((m) => m.to === wang!.phone)).toBe(true); // Wang's wrist is off too
  }, 90_000);
});
