import type { DutyRows } from '../../db/queries/dispatch-directory.ts';
import { dutyAt, dutyIntervals, onDutySet, type DutyIntervals } from '../core/duty-rules.ts';

/**
 * Who is on duty over a loaded window: rotas + one-off shifts − absences, expanded once per
 * directory read by the pure rules. Routing, the board's on-duty panel and GET /api/on-duty
 * all ask this (DESIGN: "Routing uses exactly what /api/on-duty answers").
 */
export class DutyRoster {
  static readonly empty = new DutyRoster(new Map(), new Date(0), new Date(0));

  constructor(
    readonly intervals: DutyIntervals,
    readonly from: Date,
    readonly to: Date,
  ) {}

  static expand(rows: DutyRows, timeZone: string, from: Date, to: Date): DutyRoster {
    return new DutyRoster(dutyIntervals({ ...rows, timeZone, from, to }), from, to);
  }

  /** Whether `t` lies in the loaded window (outside it, ask the database). */
  holds(t: Date): boolean {
    return t.getTime() >= this.from.getTime() && t.getTime() < this.to.getTime();
  }

  onDuty(t: Date): Set<string> {
    return onDutySet(this.intervals, t);
  }

  isOnDuty(caregiverId: string, t: Date): boolean {
    return dutyAt(this.intervals.get(caregiverId), t) !== undefined;
  }

  /** The end of the caregiver's duty now, or else the start of their next within the window. */
  window(caregiverId: string, t: Date): { endsAt: Date | null; nextAt: Date | null } {
    const list = this.intervals.get(caregiverId) ?? [];
    const now = dutyAt(list, t);
    if (now) return { endsAt: now.end, nextAt: null };
    return { endsAt: null, nextAt: list.find((i) => i.start.getTime() > t.getTime())?.start ?? null };
  }
}
