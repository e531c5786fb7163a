import { describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import type { RunningService } from '../runtime/service.ts';
import { alertOf, press, provisionCentre, type TimelineRow } from './helpers/care-centre.ts';
import { connect, waitFor } from './helpers/gateway-harness.ts';
import { apiClient } from './helpers/service-harness.ts';
import { BROKER, useBrokerInstances } from './helpers/broker-instances.ts';

// N dispatcher instances behind one broker and one database: the instance that opened an
// alarm goes away mid-step, and another serves its deadline.
const STEP_S = 3;

describe('failover: another instance escalates an alarm whose opener went away', () => {
  const { run, services, clients } = useBrokerInstances(2, {
    MQTT_INGEST_LANES: '1',
    ALARM_POLICY: JSON.stringify({
      emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: STEP_S }, { kind: 'all_in_grid', acceptWithinS: 60 }, { kind: 'console', acceptWithinS: 60 }] },
    }),
  });

  it('serves the deadline from the surviving instance', async () => {
    const api = apiClient(services[1]!.httpUrl);
    await api.login();
    const centre = await provisionCentre(api, { caregivers: 1 });
    const li = centre.caregivers[0]!;
    const pendant = await connect(BROKER, { clientId: `pendant-${run}` });
    const wrist = await connect(BROKER, { clientId: `wrist-${run}` });
    clients.push(pendant, wrist);
    await wrist.subscribeAsync(topics.wearableAlerts(li.wearable.id), { qos: 1 });

    const first = alertOf(wrist, li.wearable.id);
    await press(pendant, centre.pendant.id);
    const alert = await first;
    expect(alert.step).toBe(1);
    const opened = async (s: RunningService) => (await s.metrics.alarmsOpened.get()).values.reduce((n, v) => n + v.value, 0);
    const openerIndex = (await opened(services[0]!)) > 0 ? 0 : 1;
    const opener = services[openerIndex]!;
    const survivor = services[1 - openerIndex]!;
    expect(await opened(survivor)).toBe(0);

    // the opener leaves before the step's deadline: its in-process timer goes with it
    await opener.close();
    const second = await alertOf(wrist, li.wearable.id, (STEP_S + 15) * 1000);
    expect(second).toMatchObject({ type: 'alarm.alert', alarmId: alert.alarmId, step: 2 });
    const survivorApi = apiClient(survivor.httpUrl);
    await survivorApi.login();
    const detail = await waitFor(async () => {
      const d = (await survivorApi.call('GET', `/api/alarms/${alert.alarmId}`)).body;
      return d.step === 2 && d;
    });
    const started = (detail.timeline as TimelineRow[]).filter((t) => t.code === 'step.started');
    expect(started.map((t) => t.detail.step)).toEqual([1, 2]);
    // served by the survivor, after the deadline and within its watchdog's reach (5 s sweep + 5 s grace)
    const lateMs = Date.parse(started[1]!.at) - Date.parse(started[0]!.detail.deadline);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(12_000);
  }, 40_000);
});
