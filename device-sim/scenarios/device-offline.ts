import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

const HEARTBEAT_S = 5;

/** The pendant goes silent: one technical device.offline alarm; heard again, it clears itself. */
export const deviceOffline: Scenario = {
  name: 'device-offline',
  shows: 'the pendant (heartbeatS 5 for the scenario) drops off without a goodbye: after two silent intervals one technical device.offline alarm; when it is heard again the alarm resolves as restored',
  rule: 'a device silent for 2 × heartbeatS (default 300 s for pendants, 900 s for sensors; per device) opens a technical device.offline; heard again → restored; swept every SUPERVISION_SWEEP_S (5)',
  limitS: 50,
  home: { devices: ['pendant'], caregivers: 1, deviceFields: { pendant: { heartbeatS: HEARTBEAT_S } } },
  async play(ctx) {
    const pendant = ctx.device('pendant');
    await pendant.send('heartbeat');
    await ctx.pause(1_000);
    pendant.goSilent();
    const alarm = await ctx.watch.waitFor('a technical device.offline alarm', (a) => a.kind === 'device.offline' && a.priority === 'technical', 30_000);
    await ctx.pause(2_000);
    ctx.say('the pendant is back in range');
    await pendant.comeBack();
    await ctx.watch.waitFor('the offline alarm resolved as restored', (a) => a.id === alarm.id && a.status === 'resolved' && (a.outcome === 'restored' || hasRow(a, 'alarm.restored')), 15_000);
    const offline = [...ctx.watch.alarms.values()].filter((a) => a.kind === 'device.offline');
    if (offline.length !== 1) ctx.fail(`one device.offline alarm expected, ${offline.length} seen`);
  },
};
