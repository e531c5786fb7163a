import type { ActorKind, AlarmStatus } from '../../contract/alarms.ts';

export const alarmActions = ['accept', 'decline', 'arrive', 'resolve', 'cancel', 'reassign'] as const;
export type AlarmAction = (typeof alarmActions)[number];

export interface TransitionInput {
  status: AlarmStatus;
  acceptedBy: string | null;
  action: AlarmAction;
  actor: { kind: ActorKind; caregiverId?: string | undefined };
}

export type Refusal = 'closed' | 'already_accepted' | 'not_yours' | 'not_open' | 'not_allowed';

export type TransitionResult =
  | {
      ok: true;
      /** False when the action repeats what already happened (a resent ack): nothing to record. */
      changed: boolean;
      status: AlarmStatus;
      /** The actor becomes the acceptor (accept, or arrive/resolve without a prior accept). */
      assigns: boolean;
      /** The alarm went back to open and escalation must pick it up again. */
      reopens: boolean;
    }
  | { ok: false; reason: Refusal };

const ok = (status: AlarmStatus, changed = true, assigns = false, reopens = false): TransitionResult => ({ ok: true, changed, status, assigns, reopens });
const no = (reason: Refusal): TransitionResult => ({ ok: false, reason });

/**
 * The lifecycle rules, pure. Caregivers act on alarms they hold (or take an open one);
 * operators may act on any active alarm; only operators cancel or reassign.
 */
export function transition(t: TransitionInput): TransitionResult {
  const { status, acceptedBy, action, actor } = t;
  if (status === 'resolved' || status === 'cancelled') return no('closed');
  const isOperator = actor.kind === 'operator' || actor.kind === 'system';
  const mine = actor.kind === 'caregiver' && acceptedBy !== null && acceptedBy === actor.caregiverId;
  const heldByOther = acceptedBy !== null && !mine;
  // a resident's only action is cancelling their own alarm (cancelDecision says whether in time)
  if (actor.kind === 'resident' && action !== 'cancel') return no('not_allowed');

  switch (action) {
    case 'accept':
      if (status === 'open') return ok('accepted', true, true);
      if (mine) return ok(status, false);
      return no('already_accepted');
    case 'decline':
      if (actor.kind !== 'caregiver') return no('not_allowed');
      if (status === 'open') return ok('open');
      if (mine && status === 'accepted') return ok('open', true, false, true); // "cannot go after all"
      return no('not_open');
    case 'arrive':
      if (status === 'on_site') return mine || isOperator ? ok('on_site', false) : no('not_yours');
      if (status === 'open') return ok('on_site', true, actor.kind === 'caregiver');
      if (mine || isOperator) return ok('on_site');
      return no(heldByOther ? 'not_yours' : 'not_allowed');
    case 'resolve':
      if (status === 'open') return ok('resolved', true, actor.kind === 'caregiver');
      if (mine || isOperator) return ok('resolved');
      return no('not_yours');
    case 'cancel':
      return isOperator || actor.kind === 'resident' ? ok('cancelled') : no('not_allowed');
    case 'reassign':
      if (!isOperator) return no('not_allowed');
      if (status === 'on_site') return no('not_open');
      return ok('open', true, false, true);
  }
}
