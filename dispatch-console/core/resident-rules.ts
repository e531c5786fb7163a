import type { EffectiveSettings, ResidentSettings, SettingKey } from '../../contract/resident-settings.ts';
import { settingKeys } from '../../contract/resident-settings.ts';

/** The centre's defaults for the per-resident rules (common/config.ts). */
export interface CentreRuleDefaults {
  inactivityHours: number;
  /** Night hours (NIGHT_HOURS): the default waking window is the rest of the day. */
  nightHours: { start: number; end: number };
  /** CHECKIN_BY: the time of residents who opt in with `"checkinBy": true`. */
  checkinBy: { hour: number; minute: number };
  nightDoorAlarm: boolean;
  bedReturnMinutes: number;
  cancelWindowS: number;
}

/** One resident's rules in force, parsed for the pure rules. */
export interface ResidentRules {
  inactivityHours: number;
  /** Local hours [start, end) in which the inactivity rule runs (may wrap midnight). */
  waking: { start: number; end: number };
  /** null: not on the daily check-in programme (opting in is explicit). */
  checkinBy: { hour: number; minute: number } | null;
  nightDoorAlarm: boolean;
  bedReturnMinutes: number;
  cancelWindowS: number;
  away: { from: Date; until: Date; reason?: string | undefined } | null;
  fromResident: SettingKey[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const parseTime = (v: string) => ({ hour: Number(v.slice(0, 2)), minute: Number(v.slice(3, 5)) });

/** Merges the centre's defaults with a resident's own settings (absent keys: the default). */
export function residentRules(d: CentreRuleDefaults, own: ResidentSettings | undefined): ResidentRules {
  const s = own ?? {};
  const checkin = s.checkinBy === undefined || s.checkinBy === null ? null : s.checkinBy === true ? d.checkinBy : parseTime(s.checkinBy);
  return {
    inactivityHours: s.inactivityHours ?? d.inactivityHours,
    waking: s.wakingHours ? { start: Number(s.wakingHours.slice(0, 2)), end: Number(s.wakingHours.slice(3, 5)) } : { start: d.nightHours.end, end: d.nightHours.start },
    checkinBy: checkin,
    nightDoorAlarm: s.nightDoorAlarm ?? d.nightDoorAlarm,
    bedReturnMinutes: s.bedReturnMinutes ?? d.bedReturnMinutes,
    cancelWindowS: s.cancelWindowS ?? d.cancelWindowS,
    away: s.away ? { from: new Date(s.away.from), until: new Date(s.away.until), reason: s.away.reason } : null,
    fromResident: settingKeys.filter((k) => s[k] !== undefined),
  };
}

/** The rules as the API shows them (GET /api/residents/:id). */
export function effectiveSettingsView(r: ResidentRules, own: ResidentSettings | undefined): EffectiveSettings {
  return {
    inactivityHours: r.inactivityHours,
    wakingHours: `${pad(r.waking.start)}-${pad(r.waking.end)}`,
    checkinBy: r.checkinBy && `${pad(r.checkinBy.hour)}:${pad(r.checkinBy.minute)}`,
    nightDoorAlarm: r.nightDoorAlarm,
    bedReturnMinutes: r.bedReturnMinutes,
    cancelWindowS: r.cancelWindowS,
    away: own?.away ?? null,
    fromResident: r.fromResident,
  };
}

/** Inside [from, until): the resident is away (hospital, family) and the absence rules pause. */
export const isAway = (r: Pick<ResidentRules, 'away'>, now: Date): boolean =>
  r.away !== null && now.getTime() >= r.away.from.getTime() && now.getTime() < r.away.until.getTime();

/** Whether a local hour lies in [start, end) (a window may wrap midnight: 22-07). */
export function inHours(hour: number, w: { start: number; end: number }): boolean {
  return w.start <= w.end ? hour >= w.start && hour < w.end : hour >= w.start || hour < w.end;
}
