import { requireNight } from './night.ts';
import type { Scenario } from './types.ts';

/** Out of bed at night and not back: an emergency (a fall nobody saw), raised by the absence check. */
export const bedNoReturn: Scenario = {
  name: 'bed-no-return',
  shows: 'the resident gets out of bed at night and does not come back: an emergency bed.no_return alarm, answered by the caregiver',
  rule: 'a night-time bed.exit without bed.enter within BED_RETURN_MINUTES (default 30; the resident\'s bedReturnMinutes, at least 1) opens an emergency; checked every ABSENCE_CHECK_S',
  // a minute (the shortest per-resident setting) and the check after it, on a demo not compressed further
  limitS: 80,
  home: { devices: ['bed_sensor'], caregivers: 1 },
  async play(ctx) {
    requireNight(ctx, 'a bed exit counts');
    let minutes = Number((ctx.home.resident.effectiveSettings as { bedReturnMinutes?: unknown } | undefined)?.bedReturnMinutes ?? NaN);
    if (minutes > 1) {
      // the shortest the resident's own setting allows; BED_RETURN_MINUTES=0.25 on the service is shorter still
      const eff = await ctx.trySettings({ bedReturnMinutes: 1 });
      if (!eff) ctx.fail(`the resident must be back within ${minutes} min here; run the service with BED_RETURN_MINUTES=0.25 to play this in under a minute`);
      minutes = 1;
    }
    await ctx.device('bed_sensor').send('bed.exit');
    ctx.say(`the resident does not come back to bed (due back within ${minutes} min)`);
    const alarm = await ctx.watch.waitFor('an emergency bed.no_return alarm', (a) => a.kind === 'bed.no_return' && a.priority === 'emergency', minutes * 60_000 + 12_000);
    await ctx.watch.waitFor('the alarm resolved', (a) => a.id === alarm.id && a.status === 'resolved', 15_000);
  },
};
