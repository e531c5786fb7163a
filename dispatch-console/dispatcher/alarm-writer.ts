import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import { DbError } from '../../db/db-error.ts';
import {
  addAlarmEvent,
  appendTimeline,
  insertNotifications,
  lockAlarm,
  lockAlarmWriteId,
  markAlertsWithdrawn,
  saveAlarm,
  type AlarmRecord,
} from '../../db/queries/alarms.ts';
import type { Db, Queryable } from '../../db/types.ts';
import { Effects } from '../core/alarm-state.ts';
import { isTransientDbFailure } from './db-retry.ts';
import { WriteJournal } from './write-journal.ts';

/** An event that becomes part of an alarm with this decision (a join). */
export interface JoinedEvent {
  alarmId: string;
  deviceId: string;
  eventId: string;
  type: string;
  receivedAt: Date;
}

/** One decision as the database must get it; `writeId` lets a replay see that it already landed. */
export interface Write {
  fx: Effects;
  /** The alarm as it was before the decision (unchanged: no row update needed). */
  base: AlarmRecord;
  writeId: string;
  event?: JoinedEvent | undefined;
}

export type Attempt =
  | { kind: 'committed'; fx: Effects }
  /** No such alarm row. */
  | { kind: 'missing' }
  /** The decision found nothing to do (or the event was already part of the alarm). */
  | { kind: 'nothing'; alarm: AlarmRecord }
  /** The database did not answer in time (or failed): `decided` if the decision had been made on the locked row. */
  | { kind: 'away'; decided: Write | undefined };

export interface AlarmWriterOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  /** How long a decision waits for the database before it is made from memory instead. */
  deadlineMs: number;
  stopped: () => boolean;
}

const ABANDONED = new Error('write abandoned: the database did not answer in time');

/**
 * The dispatcher's way to the database. Normally a decision is made on the locked row and
 * committed before anything is sent. When the database fails or does not answer within the
 * deadline, it is "away": decisions are made from memory, sent at once, and queued here to be
 * written per alarm in order, exactly once, when it is back (safety first, bookkeeping second).
 */
export class AlarmWriter {
  private away = false;
  private readonly journal: WriteJournal;

  constructor(private readonly o: AlarmWriterOptions) {
    this.journal = new WriteJournal(o.logger, o.stopped, () => {
      if (!this.away) return;
      this.away = false;
      o.logger.info('database back: every decision made meanwhile is written; deciding on the database again');
    });
  }

  /** The database failed lately and the queued writes have not all landed yet. */
  get degraded(): boolean {
    return this.away;
  }

  get queued(): number {
    return this.journal.size;
  }

  /** Decisions on this alarm must queue behind writes still waiting. */
  mustQueue(alarmId: string): boolean {
    return this.away || this.journal.pendingFor(alarmId);
  }

  /** The database is away: from now on, decide from memory until every queued write lands. */
  markAway(err: unknown): void {
    if (this.away) return;
    this.away = true;
    this.o.metrics.dispatchDbAway.inc();
    // a saturated database (a burst of alarms) lands here too, and is meant to: a slow write
    // must not hold up a step. An outage shows as this lasting, and in the pool's own errors.
    this.o.logger.warn({ err: (err as Error | undefined)?.message, deadlineMs: this.o.deadlineMs }, 'database away or slow: deciding from memory, sending at once, writing later in order');
    // something must find out when it is back, even if no decision needs writing meanwhile
    void this.journal.push('~probe', 'database probe', () => this.o.db.ping());
  }

  /**
   * Locks the alarm, decides on it and commits, within the deadline. `decideOn` answers the
   * decision (undefined: nothing to do); `event` is recorded with it (a duplicate: nothing to do).
   */
  async attempt(alarmId: string, decideOn: (a: AlarmRecord) => Effects | undefined, event?: JoinedEvent): Promise<Attempt> {
    const state: { abandoned: boolean; decided?: Write } = { abandoned: false };
    const tx = this.o.db.withTransaction(async (q): Promise<Attempt> => {
      const a = await lockAlarm(q, alarmId);
      // given up on while waiting for the row: the caller decided without us (and the
      // decision's bookkeeping, metrics and logs, must not run twice)
      if (state.abandoned) throw ABANDONED;
      if (!a) return { kind: 'missing' };
      const fx = decideOn(a);
      if (!fx) return { kind: 'nothing', alarm: a };
      if (event && !(await addAlarmEvent(q, event))) return { kind: 'nothing', alarm: a };
      const w: Write = { fx, base: a, writeId: randomUUID() };
      state.decided = w;
      if (state.abandoned) throw ABANDONED; // too late: the caller decided without us
      await writeDecision(q, w);
      if (state.abandoned) throw ABANDONED;
      return { kind: 'committed', fx };
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), this.o.deadlineMs)));
    try {
      const r = await Promise.race([tx, late]);
      if (r !== 'late') return r;
      this.markAway(new Error(`no answer within ${this.o.deadlineMs} ms`));
    } catch (err) {
      if (!isTransientDbFailure(err)) throw err;
      this.markAway(err);
    } finally {
      clearTimeout(timer);
    }
    state.abandoned = true;
    tx.catch(() => undefined); // it ends (rolled back, or committed: the replay will see its write id)
    const decided = state.decided;
    if (decided && event) decided.event = event; // its addAlarmEvent may not have landed
    return { kind: 'away', decided };
  }

  /** Queues a decision made without the database; resolves once written. */
  later(w: Write): Promise<void> {
    return this.journal.push(w.fx.alarm.id, 'alarm decision', () =>
      this.o.db.withTransaction(async (q) => {
        const row = await lockAlarmWriteId(q, w.fx.alarm.id);
        if (!row) {
          this.o.logger.error({ alarmId: w.fx.alarm.id }, 'queued decision for an alarm that is not stored; left out');
          return;
        }
        if (row.writeId === w.writeId) return; // its own commit landed before the connection died
        if (w.event) await addAlarmEvent(q, w.event);
        await writeDecision(q, w);
      }),
    );
  }

  /**
   * A first write (an alarm's insert): now within the deadline, or queued behind this key's
   * writes when the database is away. `first` settles when it is committed or queued; `stored`
   * once it is in the database. `fn(replayed)`: replayed is true when an earlier try may have landed.
   */
  insert<T>(alarmId: string, fn: (replayed: boolean) => Promise<T>): { first: Promise<'committed' | 'queued'>; stored: Promise<T> } {
    if (this.mustQueue(alarmId)) {
      const stored = this.journal.push(alarmId, 'opening alarm', () => fn(false));
      return { first: Promise.resolve('queued'), stored };
    }
    const tried = fn(false);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), this.o.deadlineMs)));
    const outcome = Promise.race([tried.then(() => 'committed' as const), late]).then(
      (r) => r,
      (err: unknown) => {
        if (!isTransientDbFailure(err)) throw err;
        this.markAway(err);
        return 'failed' as const;
      },
    );
    void outcome.finally(() => clearTimeout(timer)).catch(() => undefined);
    const first = outcome.then((r): 'committed' | 'queued' => (r === 'committed' ? 'committed' : 'queued'));
    const stored = outcome.then(async (r) => {
      if (r === 'committed') return tried;
      if (r === 'late') this.markAway(new Error(`no answer within ${this.o.deadlineMs} ms`));
      tried.catch(() => undefined);
      // the first try is abandoned; it may still land, so the replay must tolerate finding it
      return this.journal.push(alarmId, 'opening alarm', () => fn(true));
    });
    return { first, stored };
  }

  /**
   * A first write that must wait for another alarm's queued writes (its close, decided while
   * the database was away): run after them, in that alarm's order, until stored.
   */
  insertAfter<T>(otherAlarmId: string, fn: () => Promise<T>): Promise<T> {
    return this.journal.push(otherAlarmId, 'opening alarm after another one closes', fn);
  }

  /** Bookkeeping of an alarm (delivery results): after its decisions, retried while the database is away. */
  record(alarmId: string, what: string, fn: () => Promise<void>): Promise<void> {
    if (!this.mustQueue(alarmId)) {
      return fn().catch((err: unknown) => {
        if (!isTransientDbFailure(err)) throw err;
        this.markAway(err);
        return this.journal.push(alarmId, what, fn);
      });
    }
    return this.journal.push(alarmId, what, fn);
  }

  /** Waits for queued writes at shutdown (what is left is logged). */
  async settle(timeoutMs: number): Promise<void> {
    if (this.journal.size === 0) return;
    if (!(await this.journal.settle(timeoutMs))) this.o.logger.error({ queued: this.journal.size }, 'shutdown: decisions made while the database was away are not all written');
  }

  /** An "unavailable" error for callers who need the database and cannot wait. */
  static unavailable(): DbError {
    return new DbError({ message: 'database unavailable' });
  }
}

/** Everything one decision changes, in one transaction. */
async function writeDecision(q: Queryable, w: Write): Promise<void> {
  const { fx } = w;
  if (fx.alarm !== w.base || fx.timeline.length > 0) await saveAlarm(q, fx.alarm, w.writeId);
  fx.recorded = await appendTimeline(q, fx.timeline);
  await markAlertsWithdrawn(q, fx.alarm.id, fx.withdrawals.map((x) => x.wearableId));
  await insertNotifications(q, fx.notices.map((p) => p.notification));
}
