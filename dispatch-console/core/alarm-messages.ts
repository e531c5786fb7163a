import type { AlarmWithdrawal } from '../../contract/alarms.ts';
import type { Alert, DeviceCommand } from '../../contract/device-messages.ts';
import type { AlarmRecord } from '../../contract/alarm-record.ts';
import { SERVICE_WORDS } from './service-orders.ts';
import { fitOneSegment } from './sms-segments.ts';

/** What the wrist shows: who, where, what, notes, and until when to accept. */
export function alertFor(a: AlarmRecord): Alert {
  return {
    type: 'alarm.alert',
    alarmId: a.id,
    priority: a.priority,
    kind: a.kind,
    resident: { id: a.resident.id ?? '', name: a.resident.name, address: a.resident.address, grid: a.resident.grid, notes: a.resident.notes, accessInfo: a.resident.accessInfo ?? null },
    raisedAt: a.raisedAt.toISOString(),
    step: a.step,
    acceptBy: (a.deadline ?? a.raisedAt).toISOString(),
    ...(a.service && { service: a.service }),
  };
}

export const withdrawal = (alarmId: string, reason: AlarmWithdrawal['reason'], by?: string): AlarmWithdrawal => ({
  type: reason === 'accepted' || reason === 'reassigned' ? 'alarm.taken' : 'alarm.closed',
  alarmId,
  reason,
  ...(by !== undefined && { by }),
});

/** "Help is coming": the resident's button lights up / speaks. */
export const helpIsComing = (a: AlarmRecord, by: string): DeviceCommand => ({ type: 'alarm.accepted', alarmId: a.id, by });

export const alarmClosedCommand = (a: AlarmRecord, outcome: string): DeviceCommand => ({ type: 'alarm.resolved', alarmId: a.id, outcome });

const KIND_WORDS: Record<string, string> = {
  'button.pressed': 'button pressed',
  'fall.detected': 'fall',
  'smoke.detected': 'smoke',
  'co.detected': 'CO',
  'flood.detected': 'flood',
  'door.opened': 'door open at night',
  temperature: 'temperature',
  'service.request': 'service request',
  'battery.low': 'battery low',
  'bed.no_return': 'out of bed at night, not back',
  'checkin.missed': 'missed daily check-in',
  inactivity: 'no movement for hours',
};

/**
 * One SMS segment where possible; the reply instruction is never cut. A caregiver is asked
 * to go; a family member is told and may answer that they are going. The resident's notes
 * (medical, the key-safe code) go to staff only (caregiver, supervisor), never to family.
 */
export function smsBody(a: AlarmRecord, audience: 'caregiver' | 'supervisor' | 'family'): string {
  const what = a.service ? `service request: ${SERVICE_WORDS[a.service]}` : (KIND_WORDS[a.kind] ?? a.kind);
  const where = a.resident.address ? `, ${a.resident.address}` : '';
  if (audience === 'family') {
    return fitOneSegment(`Care alarm (${what}) for ${a.resident.name}${where}. The care centre is on it.`, ` Reply ${a.replyCode} if you go.`);
  }
  const notes = a.resident.notes ? ` ${a.resident.notes.replace(/[.\s]+$/, '')}.` : '';
  return fitOneSegment(`${a.priority.toUpperCase()} ${what}: ${a.resident.name}${where}.${notes}`, ` Reply ${a.replyCode} to accept.`);
}
