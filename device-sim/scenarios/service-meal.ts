import type { Scenario } from './types.ts';

/** The resident asks for a meal: a service order, routed by skill; the device hears received, then scheduled. */
export const serviceMeal: Scenario = {
  name: 'service-meal',
  shows: 'the resident asks for a meal: a service order of its own, routed to the caregiver with the meal skill; the button hears service.received, then service.scheduled when it is accepted; done as service_done',
  rule: 'service.request opens a service order (accept within 15 min, done the same day), never merged with an emergency; on-duty caregivers with the skill first',
  limitS: 40,
  home: { devices: ['button'], caregivers: 2, skills: [['bathing'], ['meal']] },
  async play(ctx) {
    ctx.setPlan(0, { mode: 'ignore' });
    ctx.setPlan(1, { mode: 'respond', outcome: 'service_done' });
    const button = ctx.device('button');
    await button.send('service.request', { service: 'meal' });
    const order = await ctx.watch.waitFor('a service order', (a) => a.kind === 'service.request' && a.priority === 'service', 10_000);
    await ctx.watch.until('service.received on the button', () => button.commands.some((c) => c.type === 'service.received'), 10_000);
    await ctx.watch.until('service.scheduled on the button', () => button.commands.some((c) => c.type === 'service.scheduled'), 15_000);
    await ctx.watch.waitFor('the order done', (a) => a.id === order.id && a.status === 'resolved', 15_000);
    if (ctx.wrists[0]!.received.some((m) => m.type === 'alarm.alert')) ctx.fail('the caregiver without the meal skill was alerted first');
  },
};
