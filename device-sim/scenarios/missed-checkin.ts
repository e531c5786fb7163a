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
    // their time was a little over the grace ago today, so the next check finds them missed
    const by = now - GRACE_MINUTES - 2;
    if (by < 0) ctx.fail(`it is too early in the service's day (${clockTime(now)}) for a check-in time over an hour ago; play it after 01:05`);
    const eff = await ctx.trySettings({ checkinBy: clockTime(by) });
    if (!eff) ctx.fail('this service has no per-resident settings (checkinBy): a fresh resident cannot be put on the check-in programme');
    ctx.say(`the resident was due to check in by ${clockTime(by)} and has not`);
    const alarm = await ctx.watch.waitFor('an emergency checkin.missed alarm', (a) => a.kind === 'checkin.missed' && a.priority === 'emergency', 50_000);
    await ctx.watch.waitFor('the alarm resolved', (a) => a.id === alarm.id && a.status === 'resolved', 20_000);
  },
};
