import type { StepKind } from '../../contract/alarms.ts';
import type { AlarmPolicy } from '../../contract/escalation-policy.ts';
import { isReachable, type Candidate, type RoutingPool } from './routing.ts';

/**
 * The escalation cursor of one alarm, as stored with it. `token` changes on every move, so
 * a timer armed for an earlier step finds a different token and does nothing.
 */
export interface EscalationState {
  /** 1-based index of the current step; 0 before the first. */
  step: number;
  token: number;
  deadline: Date | null;
  /** Every caregiver alerted so far. */
  notified: string[];
  /** Those alerted by the current step (a step is over early once all of them declined). */
  current: string[];
  declined: string[];
}

export const initialState = (): EscalationState => ({ step: 0, token: 0, deadline: null, notified: [], current: [], declined: [] });

export type Notice =
  | { channel: 'wearable'; audience: 'caregiver' | 'supervisor'; caregiverId: string; name: string; wearableId: string }
  | { channel: 'sms'; audience: 'caregiver' | 'supervisor' | 'family'; caregiverId?: string; name: string; phone: string }
  | { channel: 'console' };

export interface SkippedStep {
  step: number;
  kind: StepKind;
  reason: 'nobody_on_duty' | 'nobody_left' | 'no_contacts';
}

export interface StepResult {
  state: EscalationState;
  step: number;
  kind: StepKind;
  /** The last step again (it repeats to the console until someone accepts). */
  repeated: boolean;
  notices: Notice[];
  skipped: SkippedStep[];
}

/** How to reach one caregiver: the wrist, and SMS as well when the wrist is offline or absent. */
export function noticesFor(c: Candidate): Notice[] {
  const audience = c.role === 'supervisor' ? 'supervisor' : 'caregiver';
  const out: Notice[] = [];
  if (c.wearableId !== null) out.push({ channel: 'wearable', audience, caregiverId: c.caregiverId, name: c.name, wearableId: c.wearableId });
  if (c.phone !== null && !(c.wearableId !== null && c.wearableOnline)) {
    out.push({ channel: 'sms', audience, caregiverId: c.caregiverId, name: c.name, phone: c.phone });
  }
  return out;
}

function pick(kind: StepKind, state: EscalationState, pool: RoutingPool): { who: Candidate[]; notices: Notice[]; empty?: SkippedStep['reason'] } {
  const open = (list: Candidate[]) => list.filter((c) => !state.declined.includes(c.caregiverId) && isReachable(c));
  const many = (all: Candidate[]) => {
    const who = open(all);
    return { who, notices: who.flatMap(noticesFor), empty: all.length === 0 ? ('nobody_on_duty' as const) : ('nobody_left' as const) };
  };
  switch (kind) {
    case 'next_in_grid': {
      const next = open(pool.grid).find((c) => !state.notified.includes(c.caregiverId));
      const empty = pool.grid.length === 0 ? 'nobody_on_duty' : 'nobody_left';
      return next ? { who: [next], notices: noticesFor(next) } : { who: [], notices: [], empty };
    }
    case 'all_in_grid':
      return many(pool.grid);
    case 'community_pool':
      return many(pool.community);
    case 'supervisor':
      return many(pool.supervisors);
    case 'sms_family':
      return {
        who: [],
        notices: pool.family.map((f) => ({ channel: 'sms' as const, audience: 'family' as const, name: f.name, phone: f.phone })),
        empty: 'no_contacts',
      };
    case 'console':
      return { who: [], notices: [{ channel: 'console' }] };
  }
}

/**
 * Moves to the next step that reaches somebody, skipping at once the ones that reach nobody
 * (no caregiver on duty in the grid does not wait out a timeout). Past the last step, the
 * last step (the console) repeats. Pure: same inputs, same result.
 */
export function nextStep(policy: AlarmPolicy, state: EscalationState, pool: RoutingPool, now: Date): StepResult {
  const skipped: SkippedStep[] = [];
  const last = policy.steps.length;
  for (let n = state.step + 1; ; n++) {
    const index = Math.min(n, last);
    const spec = policy.steps[index - 1]!;
    const { who, notices, empty } = pick(spec.kind, state, pool);
    if (notices.length === 0) {
      skipped.push({ step: index, kind: spec.kind, reason: empty ?? 'nobody_left' });
      if (n >= last) throw new Error('escalation policy without a console step'); // the schema forbids it
      continue;
    }
    const ids = who.map((c) => c.caregiverId);
    return {
      state: {
        step: index,
        token: state.token + 1,
        deadline: new Date(now.getTime() + spec.acceptWithinS * 1000),
        notified: [...new Set([...state.notified, ...ids])],
        current: ids,
        declined: state.declined,
      },
      step: index,
      kind: spec.kind,
      repeated: n > last,
      notices,
      skipped,
    };
  }
}

/** A decline: recorded; true when nobody of the current step is left to answer. */
export function applyDecline(state: EscalationState, caregiverId: string): { state: EscalationState; stepExhausted: boolean } {
  const declined = state.declined.includes(caregiverId) ? state.declined : [...state.declined, caregiverId];
  const next = { ...state, declined };
  return { state: next, stepExhausted: state.current.length > 0 && state.current.every((id) => declined.includes(id)) };
}

/** The operator hands the alarm to one caregiver: the step stays, its clock starts again. */
export function reassignTo(policy: AlarmPolicy, state: EscalationState, target: Candidate, now: Date): StepResult {
  const index = Math.max(1, Math.min(state.step, policy.steps.length));
  const spec = policy.steps[index - 1]!;
  return {
    state: {
      ...state,
      step: index,
      token: state.token + 1,
      deadline: new Date(now.getTime() + spec.acceptWithinS * 1000),
      notified: [...new Set([...state.notified, target.caregiverId])],
      current: [target.caregiverId],
      declined: state.declined.filter((id) => id !== target.caregiverId),
    },
    step: index,
    kind: spec.kind,
    repeated: false,
    notices: noticesFor(target),
    skipped: [],
  };
}

/** Accepted, resolved or cancelled: no deadline any more, and any armed timer goes stale. */
export const stopEscalation = (state: EscalationState): EscalationState => ({ ...state, token: state.token + 1, deadline: null, current: [] });

/**
 * A more serious event while nobody accepted: start over under the new policy. Declines are
 * forgotten too: turning down a meal request is not turning down a fall.
 */
export const restartEscalation = (state: EscalationState): EscalationState => ({ ...state, step: 0, notified: [], current: [], declined: [] });

/** Deadline due now, or how long until it is. */
export const msUntilDeadline = (state: EscalationState, now: Date): number | undefined =>
  state.deadline === null ? undefined : Math.max(0, state.deadline.getTime() - now.getTime());
