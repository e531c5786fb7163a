import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** The pendant's battery runs low: a technical alarm for the operators; a fresh battery clears it. */
export const deadBattery: Scenario = {
  name: 'dead-battery',
  shows: 'the pendant reports a low battery: a technical battery.low alarm for the operators (no caregiver is woken); a new battery (status ≥ 0.3) clears it as restored',
  rule: 'battery.low (event, or status battery < 0.2) opens a technical alarm; status battery ≥ 0.3 resolves it with outcome restored',
  limitS: 30,
  home: { devices: ['pendant'], caregivers: 1 },
  async play(ctx) {
    const pendant = ctx.device('pendant');
    await pendant.send('battery.low', { level: 0.08 });
    const alarm = await ctx.watch.waitFor('a technical battery.low alarm', (a) => a.kind === 'battery.low' && a.priority === 'technical', 10_000);
    if (ctx.wrists[0]?.received.some((m) => m.type === 'alarm.alert')) ctx.fail('a caregiver\'s wrist was alerted for a battery');
    await ctx.pause(2_000);
    ctx.say('a carer swaps the battery');
    await pendant.status({ online: true, battery: 0.95 });
    await ctx.watch.waitFor('the battery alarm resolved as restored', (a) => a.id === alarm.id && a.status === 'resolved' && (a.outcome === 'restored' || hasRow(a, 'alarm.restored')), 15_000);
  },
};
