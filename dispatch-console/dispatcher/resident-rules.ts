import { residentRules, type CentreRuleDefaults, type ResidentRules } from '../core/resident-rules.ts';
import type { DispatchDirectory } from './directory.ts';
import type { DispatchSettings } from './dispatch-settings.ts';

/** The centre's defaults for the per-resident rules, from the configuration. */
export function centreRuleDefaults(s: DispatchSettings): CentreRuleDefaults {
  return {
    inactivityHours: s.absence.inactivityHours,
    nightHours: s.nightHours,
    checkinBy: s.absence.checkinBy,
    // today's behaviour unless NIGHT_DOOR_ALARM=off: every resident's door alarms at night
    nightDoorAlarm: s.nightDoorAlarm ?? true,
    bedReturnMinutes: s.absence.bedReturnMinutes,
    cancelWindowS: s.cancelWindowS,
  };
}

/** A resident's rules in force (the directory holds their settings; unknown resident: the defaults). */
export function rulesFor(directory: DispatchDirectory, s: DispatchSettings, residentId: string | null): ResidentRules {
  return residentRules(centreRuleDefaults(s), directory.resident(residentId)?.settings);
}
