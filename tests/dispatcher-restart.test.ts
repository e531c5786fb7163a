import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/gateway-harness.ts';
import { alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { spawnService } from './helpers/child-service.ts';
import { ADMIN, apiClient } from './helpers/service-harness.ts';
import { createPgDatabase, tempDir } from './helpers/test-db.ts';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Long enough for a restart to fit inside it: the step must then fire at the stored deadline.
const STEP_S = 8;
const POLICY = JSON.stringify({
  emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: STEP_S }, { kind: 'all_in_grid', acceptWithinS: STEP_S }, { kind: 'console', acceptWithinS: 30 }] },
});

describe.each(['embedded', 'postgres'] as const)('kill -9 mid-escalation on %s', (kind) => {
  it('resumes the alarm after restart at the same step with the same deadline, and escalates on time', async () => {
    let dbEnv: Record<string, string>;
    if (kind === 'embedded') {
      const dir = tempDir();
      cleanups.push(() => dir.remove());
      dbEnv = { DATA_DIR: dir.path };
    } else {
      const pg = await createPgDatabase();
      cleanups.push(pg.drop);
      dbEnv = { DATABASE_URL: pg.url };
    }
    const env = { ...dbEnv, MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: ADMIN.password, ALARM_POLICY: POLICY };
    const first = await spawnService(env);
    cleanups.push(() => first.proc.kill('SIGKILL'));
    const api = apiClient(first.httpUrl);
    await api.login();
    const centre = await provisionCentre(api);
    const [li, wang] = centre.caregivers;
    const pendant = await connectDevice(first.mqttUrl, centre.pendant);
    const liW = await connectWearable(first.mqttUrl, li!.wearable);
    await connectWearable(first.mqttUrl, wang!.wearable);
    const alerted = alertOf(liW, li!.wearable.id);
    await press(pendant, centre.pendant.id); // resolves on PUBACK: the alarm is committed
    const alert = await alerted;
    const before = (await api.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(before).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid' });

    first.proc.kill('SIGKILL');
    await first.exited;

    const second = await spawnService(env);
    cleanups.push(() => second.proc.kill('SIGKILL'));
    const api2 = apiClient(second.httpUrl);
    await api2.login();
    const after = (await api2.call('GET', `/api/alarms/${alert.alarmId}`)).body;
    expect(after).toMatchObject({ status: 'open', step: 1, stepKind: 'next_in_grid', stepDeadline: before.stepDeadline, replyCode: before.replyCode });
    expect(Date.parse(after.stepDeadline)).toBeGreaterThan(Date.now()); // the restart fit inside the step

    // the wrists come back (a new broker: new connections) and the step's deadline passes as planned
    const wangW2 = await connectWearable(second.mqttUrl, wang!.wearable);
    const stepTwo = await alertOf(wangW2, wang!.wearable.id, (STEP_S + 5) * 1000);
    expect(stepTwo).toMatchObject({ type: 'alarm.alert', alarmId: alert.alarmId, step: 2 });
    const detail = await waitFor(async () => {
      const d = (await api2.call('GET', `/api/alarms/${alert.alarmId}`)).body;
      return d.step === 2 && d;
    });
    const started = detail.timeline.filter((t: { code: string }) => t.code === 'step.started');
    expect(started.map((t: { detail: { step: number } }) => t.detail.step)).toEqual([1, 2]);
    const lateMs = Date.parse(started[1].at) - Date.parse(before.stepDeadline);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1_500);
    pendant.end(true);
    liW.end(true);
    wangW2.end(true);
  }, 60_000);
});
