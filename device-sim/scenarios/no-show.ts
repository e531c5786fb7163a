import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** A caregiver accepts and never arrives: past the arrive limit the next one is sent. */
export const noShow: Scenario = {
  name: 'no-show',
  shows: 'the first caregiver accepts the press and never arrives: past the arrive limit (from the accept) the second is alerted (arrival.redispatched), accepts, arrives and resolves',
  rule: 'an accepted emergency/urgent alarm without arrived within its arrive limit (ALARM_POLICY; emergency default 20 min) counted from the accept is sent to the next caregiver',
  limitS: 55,
  home: { devices: ['pendant'], caregivers: 2 },
  async play(ctx) {
    ctx.setPlan(0, { mode: 'accept-only', delaysMs: [1_000, 0, 0] });
    ctx.setPlan(1, { mode: 'respond' });
    await ctx.device('pendant').send('button.pressed');
    const alarm = await ctx.watch.waitFor('an emergency alarm', (a) => a.kind === 'button.pressed' && a.priority === 'emergency', 10_000);
    const limitS = Number((alarm as unknown as { arriveLimitS?: unknown }).arriveLimitS ?? NaN);
    if (limitS > 30) ctx.fail(`the arrive limit is ${limitS} s here; run the service with ALARM_POLICY='{"emergency":{"arriveLimitS":20}}' to play this in under a minute`);
    await ctx.watch.waitFor('the first caregiver\'s accept', (a) => a.id === alarm.id && hasRow(a, 'alarm.accepted'), 10_000);
    ctx.say(`${ctx.wrists[0]!.name} accepted and does not come`);
    await ctx.watch.waitFor('arrival.redispatched on the timeline', (a) => a.id === alarm.id && hasRow(a, 'arrival.redispatched'), 40_000);
    await ctx.watch.waitFor('the alarm resolved by the second caregiver', (a) => a.id === alarm.id && a.status === 'resolved', 20_000);
  },
};
