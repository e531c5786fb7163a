import { clockTime } from './night.ts';
import type { Scenario } from './types.ts';

const GRACE_MINUTES = 60; // CHECKIN_GRACE_MINUTES' default

/** A resident on the daily check-in programme has not checked in: an emergency after the grace. */
export const missedCheckin: Scenario = {
  name: 'missed-checkin',
  shows: 'a resident on the daily check-in programme has not pressed "I\'m OK" by their time and the grace after it: an emergency checkin.missed alarm, answered by the caregiver',
  rule: 'checkinBy (the resident\'s, or CHECKIN_BY 10:00 with "checkinBy": true) plus CHECKIN_GRACE_MINUTES (default 60) without a checkin opens an emergency (a checkin.reminder at the time itself); checked every ABSENCE_CHECK_S',
  limitS: 58,
  home: { devices: ['pendant'], caregivers: 1 },
  async play(ctx) {
    const now = ctx.serviceTime.hour * 60 + ctx.serviceTime.minute;
    // their time was a little over the (default) grace ago today, so the next check finds them missed;
    // just after midnight only 00:00 is today, and only a shorter CHECKIN_GRACE_MINUTES has passed since
    const by = Math.max(0, now - GRACE_MINUTES - 2);
    const early = now - GRACE_MINUTES - 2 < 0;
    const eff = await ctx.trySettings({ checkinBy: clockTime(by) });
    if (!eff) ctx.fail('this service has no per-resident settings (checkinBy): a fresh resident cannot be put on the check-in programme');
    ctx.say(`the resident was due to check in by ${clockTime(by)} and has not`);
    const hint = early ? ` (it is ${clockTime(now)} at the service: with CHECKIN_GRACE_MINUTES at its default of 60 this plays after 01:02)` : '';
    const alarm = await ctx.watch.waitFor(`an emergency checkin.missed alarm${hint}`, (a) => a.kind === 'checkin.missed' && a.priority === 'emergency', 40_000);
    await ctx.watch.waitFor('the alarm resolved', (a) => a.id === alarm.id && a.status === 'resolved', 20_000);
  },
};
