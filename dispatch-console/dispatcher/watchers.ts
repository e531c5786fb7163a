import type { AlarmRecord, NotificationRecord, TimelineRow } from '../../db/queries/alarms.ts';

// Committed changes, for whoever watches them (the live console): what changed, and the
// small fan-out that delivers it.

/** A committed change of an alarm. */
export interface AlarmChange {
  alarm: AlarmRecord;
  /** The timeline rows the change added, as stored. */
  timeline: TimelineRow[];
  /** The alarm was opened by this change. */
  raised: boolean;
}

/** A notification's status moved after it was planned (an SMS sent, delivered, failed, kept in the outbox). */
export interface NotificationChange {
  notification: NotificationRecord;
  timeline: TimelineRow[];
}

/**
 * Watchers of committed changes. A watcher is our own code and must not throw; if it does, the
 * error is reported and the others still run (the alarm itself has already been handled).
 */
export class Watchers<T> {
  private readonly list = new Set<(change: T) => void>();

  constructor(private readonly onError: (err: unknown) => void) {}

  add(watcher: (change: T) => void): () => void {
    this.list.add(watcher);
    return () => this.list.delete(watcher);
  }

  emit(change: T): void {
    for (const w of this.list) {
      try {
        w(change);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
