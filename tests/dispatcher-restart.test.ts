import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/gateway-harness.ts';
import { ack, alertOf, commandOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { spawnService } from './helpers/child-service.ts';
import { ADMIN, apiClient } from './helpers/api-client.ts';
import { tempDir } from './helpers/test-db.ts';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Long enough for any restart to fit inside the step, however loaded the machine. Whether a step
// then fires at the stored deadline (or at once, when the restart took longer) is asserted on a
// manual clock in dispatcher-timing.test.ts, on both databases; this is the real thing once.
const STEP_S = 600;
const WAIT_MS = 20_000;
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: STEP_S }, { kind: 'all_in_grid', acceptWithinS: STEP_S }, { kind: 'console', acceptWithinS: 30 }] },
});

describe('kill -9 mid-escalation (child process, embedded database)', () => {
  it('resumes the alarm after restart at the same step, deadline and reply code; a wrist on the new broker accepts it', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const dbEnv = { DATA_DIR: dir.path };
    const env = { ...dbEnv, MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: ADMIN.password, ALARM_POLICY: POLICY };
    const first = await spawnService(env, 60_000);
    cleanups.push(() => first.proc.kill('SIGKILL'));
    const api = apiClient(first.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = await connectDevice(first.mqttUrl, centre.pendant);
    const liW = await connectWearable(first.mqttUrl, li!.wearable);
    const wangW = await connectWearable(first.mqttUrl, wang!.wearable);
    const alerted = alertOf(liW, li!.wearable.id, WAIT_MS);
    await press(pendant, centre.pendant.id); // resolves on PUBACK: the alarm is committed
    const alert = await alerted;
    const before = (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(before).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid' });

    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await spawnService(env, 60_000);
    cleanups.push(() => second.proc.kill('SIGKILL'));
    const api2 = apiClient(second.httpUrl);
    await api2.login();
    const after = (await api2.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(after).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid', stepDeadline: before.stepDeadline, replyCode: before.replyCode });
    expect(Date.parse(after.stepDeadline)).toBeGreaterThan(Date.now()); // the restart fit inside the step

    // the devices come back (a new broker: new connections); the wrist alerted before accepts
    const pendant2 = await connectDevice(second.mqttUrl, centre.pendant);
    const liW2 = await connectWearable(second.mqttUrl, li!.wearable);
    const coming = commandOf(pendant2, centre.pendant.id, WAIT_MS);
    await ack(liW2, li!.wearable.id, alert.alarmId, 'accept');
    expect(await coming).toMatchObject({ type: 'alarm.accepted', alarmId: alert.alarmId, by: 'Li Na' });
    const detail = await waitFor(async () => {
      const d = (await api2.call('GET', `/api/alarms/${alert.alarmId}`)).body;
      return d.status === 'accepted' && d;
    }, WAIT_MS);
    expect(detail).toMatchObject({ acceptedBy: li!.id, step: 1 });
    // one step only: the restart neither lost nor repeated it
    expect(detail.timeline.filter((t: { code: string }) => t.code === 'step.started').map((t: { detail: { step: number } }) => t.detail.step)).toEqual([1]);
    expect(detail.timeline.filter((t: { code: string }) => t.code === 'alarm.raised')).toHaveLength(1);
    pendant2.end(true);
    liW2.end(true);
    pendant.end(true);
    liW.end(true);
    wangW.end(true);
  }, 120_000);
});
