import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** Smoke in the flat: emergency; the first caregiver does not answer, so it escalates to the second. */
export const smoke: Scenario = {
  name: 'smoke',
  shows: 'the smoke detector fires: emergency alarm; the first caregiver is busy and declines, the second accepts, arrives and resolves',
  rule: 'smoke.detected opens an emergency (EVENT_RULES); a decline moves escalation on at once (ALARM_POLICY steps)',
  limitS: 45,
  home: { devices: ['smoke_detector'], caregivers: 2 },
  async play(ctx) {
    ctx.setPlan(0, { mode: 'decline', delaysMs: [1_500, 0, 0] });
    ctx.setPlan(1, { mode: 'respond', outcome: 'assisted' });
    await ctx.device('smoke_detector').send('smoke.detected');
    const alarm = await ctx.watch.waitFor('an emergency smoke.detected alarm', (a) => a.kind === 'smoke.detected' && a.priority === 'emergency', 10_000);
    await ctx.watch.waitFor('a decline on the timeline', (a) => a.id === alarm.id && hasRow(a, 'alarm.declined'), 15_000);
    await ctx.watch.waitFor('the alarm resolved by the second caregiver', (a) => a.id === alarm.id && a.status === 'resolved', 30_000);
  },
};
