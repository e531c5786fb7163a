import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** A fall sensor fires; the caregiver on duty is alerted, accepts, arrives and resolves. */
export const fall: Scenario = {
  name: 'fall',
  shows: 'a fall sensor fires: emergency alarm, the caregiver on duty is alerted, accepts (the resident hears help is coming), arrives and resolves',
  rule: 'fall.detected opens an emergency (EVENT_RULES); step 1 alerts the grid caregiver on duty, accept within 60 s (ALARM_POLICY)',
  limitS: 40,
  home: { devices: ['fall_sensor'], caregivers: 1 },
  async play(ctx) {
    const sensor = ctx.device('fall_sensor');
    await sensor.send('fall.detected');
    const alarm = await ctx.watch.waitFor('an emergency fall.detected alarm', (a) => a.kind === 'fall.detected' && a.priority === 'emergency', 10_000);
    await ctx.watch.waitFor('the alarm resolved as assisted', (a) => a.id === alarm.id && a.status === 'resolved' && hasRow(a, 'alarm.arrived'), 25_000);
    if (!sensor.commands.some((c) => c.type === 'alarm.accepted')) ctx.fail('the fall sensor never heard alarm.accepted (help is coming)');
    if (!ctx.wrists[0]?.received.some((m) => m.type === 'alarm.alert')) ctx.fail('the caregiver\'s wrist was never alerted');
  },
};
