import { SHIFT_HOURS } from './home.ts';
import type { Scenario } from './types.ts';
import { hasRow } from './watch.ts';

/** A grid with a resident and nobody on duty: a coverage.gap for the operators; a shift covers it. */
export const uncoveredGrid: Scenario = {
  name: 'uncovered-grid',
  shows: 'a grid with a resident and its caregiver off duty: a technical coverage.gap alarm for the operators before anyone needs help; a shift added now covers it and the alarm resolves itself',
  rule: 'a grid with nobody on duty now or within the next 60 minutes by the rota opens one technical coverage.gap; covered → restored',
  limitS: 55,
  home: { devices: ['pendant'], caregivers: 1, onDuty: false },
  async play(ctx) {
    const gap = await ctx.watch.waitFor('a technical coverage.gap alarm for the grid', (a) => a.kind === 'coverage.gap' && a.priority === 'technical', 35_000);
    const caregiver = ctx.home.caregivers[0]!;
    ctx.say(`the operator puts ${caregiver.name} on a shift from now`);
    const now = Date.now();
    await ctx.api.post('/api/shifts', { caregiverId: caregiver.id, start: new Date(now - 60_000).toISOString(), end: new Date(now + SHIFT_HOURS * 3_600_000).toISOString() });
    await ctx.watch.waitFor('the coverage.gap resolved', (a) => a.id === gap.id && a.status === 'resolved' && (a.outcome === 'restored' || hasRow(a, 'alarm.restored') || a.outcome !== null), 18_000);
  },
};
