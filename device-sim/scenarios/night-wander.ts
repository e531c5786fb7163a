import { requireNight } from './night.ts';
import type { Scenario } from './types.ts';

/** A resident who wanders opens the front door at night: urgent alarm, a caregiver goes round. */
export const nightWander: Scenario = {
  name: 'night-wander',
  shows: 'a resident who wanders opens the front door at night: urgent alarm, the caregiver on duty is alerted, goes round and resolves',
  rule: 'door.opened during NIGHT_HOURS (default 22-7) opens an urgent alarm (for residents with nightDoorAlarm, where the service has per-resident settings)',
  limitS: 40,
  home: { devices: ['door_sensor'], caregivers: 1 },
  async play(ctx) {
    requireNight(ctx, 'a door opening is a wandering alarm');
    // where per-resident settings exist, the night door alarm is for residents known to wander
    await ctx.trySettings({ nightDoorAlarm: true });
    await ctx.device('door_sensor').send('door.opened');
    const alarm = await ctx.watch.waitFor('an urgent door.opened alarm', (a) => a.kind === 'door.opened' && a.priority === 'urgent', 10_000);
    await ctx.watch.waitFor('the alarm resolved', (a) => a.id === alarm.id && a.status === 'resolved', 25_000);
  },
};
