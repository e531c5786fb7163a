import { centreNight, isNightHour, wakingFromNow } from './night.ts';
import type { Scenario } from './types.ts';

/** The resident stops moving in the day: an urgent inactivity alarm, a caregiver checks on them. */
export const inactivity: Scenario = {
  name: 'inactivity',
  shows: 'the motion sensor sees the resident once, then nothing: an urgent inactivity alarm inside the waking hours, answered by the caregiver',
  rule: 'no motion, door or bed event for INACTIVITY_HOURS (default 12; the resident\'s inactivityHours) inside the waking hours opens an urgent alarm; checked every ABSENCE_CHECK_S',
  limitS: 58,
  home: { devices: ['motion_sensor'], caregivers: 1 },
  async play(ctx) {
    const h = ctx.serviceTime.hour;
    // the rule runs in the resident's waking hours: make now one of them where the service allows
    const eff = await ctx.trySettings({ wakingHours: wakingFromNow(h) });
    if (!eff && isNightHour(h, centreNight(ctx))) ctx.fail(`the inactivity rule rests at night and it is ${h}h at the service; run it with NIGHT_HOURS set to other hours`);
    const hours = Number((eff || (ctx.home.resident.effectiveSettings as Record<string, unknown> | undefined) || {}).inactivityHours ?? NaN);
    if (hours * 3600 > 25) ctx.fail(`the silence must last ${hours} h here; run the service with INACTIVITY_HOURS=0.005 (18 s) and ABSENCE_CHECK_S=5 to play this in under a minute`);
    await ctx.device('motion_sensor').send('motion');
    ctx.say('then nothing moves');
    const alarm = await ctx.watch.waitFor('an urgent inactivity alarm', (a) => a.kind === 'inactivity' && a.priority === 'urgent', 50_000);
    await ctx.watch.waitFor('the alarm resolved', (a) => a.id === alarm.id && a.status === 'resolved', 20_000);
  },
};
