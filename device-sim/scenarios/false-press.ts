import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** The resident presses by mistake and cancels at once: closed as a false alarm, the wrist stops. */
export const falsePress: Scenario = {
  name: 'false-press',
  shows: 'a press by mistake, cancelled by the resident a few seconds later: the alarm closes as a false alarm and the wrist is told to stop',
  rule: 'a resident\'s cancel within the cancel window (CANCEL_WINDOW_S 120 s, or the resident\'s cancelWindowS) and before anyone is on site cancels the alarm',
  limitS: 30,
  home: { devices: ['pendant'], caregivers: 1 },
  async play(ctx) {
    // the caregiver reads the wrist but is slower than the resident's second thought
    ctx.setPlan(0, { mode: 'respond', delaysMs: [15_000, 2_000, 2_000] });
    const pendant = ctx.device('pendant');
    await pendant.send('button.pressed');
    const alarm = await ctx.watch.waitFor('an emergency button.pressed alarm', (a) => a.kind === 'button.pressed' && a.priority === 'emergency', 10_000);
    await ctx.watch.until('the wrist alerted', () => ctx.wrists[0]!.received.some((m) => m.type === 'alarm.alert'), 10_000);
    await ctx.pause(2_000);
    ctx.say('the resident: "sorry, wrong button"');
    await pendant.send('cancel');
    await ctx.watch.waitFor('the alarm cancelled as a false alarm', (a) => a.id === alarm.id && a.status === 'cancelled' && hasRow(a, 'alarm.cancelled'), 10_000);
    await ctx.watch.until('the wrist told to stop', () => ctx.wrists[0]!.received.some((m) => m.type !== 'alarm.alert'), 5_000);
  },
};
