import { resolvePolicy } from '../../contract/escalation-policy.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import { Effects, SYSTEM, stateOf, withState } from './alarm-state.ts';
import { nextStep, restartEscalation, type Notice } from './escalation.ts';
import type { Situation } from './situation.ts';

/**
 * An alarm opened before this instance's directory knew its device's resident (provisioned a
 * moment earlier, the directory's read slower than the alarm may wait): it went out as an
 * unassigned device, routed without a grid. Once the resident is known the alarm takes their
 * name, address and area; an open one starts escalation again in their grid, so the caregivers
 * who should go are asked, with an alert that says who and where. An accepted alarm keeps its
 * holder. Nothing changes when the alarm already has a resident or the resident is still unknown.
 */
export function residentFound(a: AlarmRecord, s: Situation, now: Date, newId: () => string, body: (a: AlarmRecord, n: Notice) => string | null): { alarm: AlarmRecord; effects: Effects } {
  const fx = new Effects(a, newId);
  const r = s.resident;
  if (a.residentId !== null || !r || a.lane === 'technical') return { alarm: a, effects: fx };
  const policy = resolvePolicy(s.policy, a.priority, s.areaPath);
  let alarm: AlarmRecord = {
    ...a,
    residentId: r.id,
    areaId: r.areaId,
    resident: { id: r.id, name: r.name, address: r.address, grid: r.grid, notes: r.notes, accessInfo: r.accessInfo ?? null, phone: r.phone },
  };
  fx.log('resident.identified', SYSTEM, now, { residentId: r.id, name: r.name, grid: r.grid });
  if (a.status === 'open') {
    alarm = { ...alarm, policy, acceptLimitS: policy.acceptLimitS, arriveLimitS: policy.arriveLimitS };
    const step = nextStep(policy, restartEscalation(stateOf(alarm)), s.pool, now);
    alarm = withState(alarm, step.state, step.kind);
    const routed = alarm;
    fx.alarm = alarm;
    fx.step(step, now, (n) => body(routed, n));
  }
  fx.alarm = alarm;
  return { alarm, effects: fx };
}
