import { randomUUID } from 'node:crypto';
import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron';
import type { Logger } from '../common/logger.ts';
import { pruneEventKeys, releaseLease, runTimescaleJob, timescalePolicyJobs, tryTakeLease } from '../db/queries/maintenance.ts';
import { deleteExpiredSessions } from '../db/queries/sessions.ts';
import { pruneAbsenceNotices } from '../db/queries/absence-facts.ts';
import { applyEventRetentionPolicy, deleteEventsBefore } from '../db/queries/retention.ts';
import type { Db } from '../db/types.ts';
import type { Dispatcher } from '../dispatch-console/dispatcher/dispatcher.ts';

const DAY_MS = 86_400_000;
/** How long a retransmission is still recognised as one (a device retries within minutes; a
 * week covers one that sat offline with its queue). */
export const DEDUP_WINDOW_MS = 7 * DAY_MS;

/** node-cron's coordinator over the job_leases table: one instance runs each job. */
export function leaseCoordinator(db: Db, holder: string, logger: Logger): RunCoordinator {
  return {
    shouldRun: async (key, ttlMs) => {
      try {
        return await tryTakeLease(db, key, holder, ttlMs);
      } catch (err) {
        logger.warn({ err, key }, 'job lease unavailable; skipping this run');
        return false;
      }
    },
    onComplete: (key) => releaseLease(db, key, holder).catch(() => undefined),
  };
}

export interface MaintenanceJob {
  name: string;
  schedule: string;
  run: () => Promise<Record<string, number>>;
  /** Every instance runs it (its own in-memory state), instead of one holding the lease. */
  everyInstance?: boolean;
  /** How long a holder keeps the lease if it dies mid-run. */
  leaseMs?: number;
  /** Routine and frequent: logged at debug level. */
  quiet?: boolean;
}

/** How long data is kept (the centre's policy). */
export interface RetentionSettings {
  /** Sensor events (alarms and their timelines are kept: the response reports rest on them). */
  eventDays: number;
  /** True once a TimescaleDB retention policy does it (applyEventRetentionPolicy): the job rests. */
  eventPolicy: () => boolean;
}

export const DEFAULT_EVENT_RETENTION_DAYS = 400;
const DEFAULT_RETENTION: RetentionSettings = { eventDays: DEFAULT_EVENT_RETENTION_DAYS, eventPolicy: () => false };

/** Every `seconds` (a divisor of 60, ABSENCE_CHECK_S); once a minute at :30 by default. */
export const absenceSchedule = (seconds: number): string => (seconds >= 60 ? '30 * * * * *' : `*/${seconds} * * * * *`);

/** The periodic housekeeping the service needs, as plain async functions. */
export function maintenanceJobs(
  db: Db,
  logger: Logger,
  dispatcher?: Dispatcher,
  now: () => Date = () => new Date(),
  retention: RetentionSettings = DEFAULT_RETENTION,
  absenceCheckS = 60,
): MaintenanceJob[] {
  const jobs: MaintenanceJob[] = [
    {
      name: 'prune-dedup-keys',
      schedule: '*/10 * * * *',
      run: async () => ({
        deleted: await pruneEventKeys(db, new Date(now().getTime() - DEDUP_WINDOW_MS)),
        notices: await pruneAbsenceNotices(db, new Date(now().getTime() - 2 * DAY_MS)),
      }),
    },
    {
      name: 'prune-sessions',
      schedule: '*/10 * * * *',
      run: async () => ({ deleted: await deleteExpiredSessions(db, now()) }),
    },
  ];
  if (dispatcher) {
    jobs.push(
      {
        // the watchdog: deadlines passed unserved (an instance died, a timer was lost), shift ends
        name: 'escalation-watchdog',
        schedule: '*/5 * * * * *',
        run: () => dispatcher.sweep(),
        leaseMs: 30_000,
        quiet: true,
      },
      {
        // alarms for what did not happen: bed exit without return, missed check-in, inactivity
        name: 'absence-check',
        schedule: absenceSchedule(absenceCheckS),
        run: () => dispatcher.checkAbsences(),
        leaseMs: 60_000,
        quiet: true,
      },
      {
        // coverage assurance: a grid with residents and nobody on duty within the hour (coverage-rules.ts)
        name: 'coverage-check',
        schedule: '7,22,37,52 * * * * *',
        run: () => dispatcher.checkCoverage(),
        leaseMs: 30_000,
        quiet: true,
      },
      {
        // other instances' changes to the routing data and to alarms
        name: 'dispatch-refresh',
        schedule: '*/15 * * * * *',
        run: async () => {
          await dispatcher.refreshDirectory();
          return { active: (await dispatcher.reload()).length };
        },
        everyInstance: true,
        quiet: true,
      },
    );
  }
  jobs.push({
    name: 'event-retention',
    schedule: '41 3 * * *',
    run: async (): Promise<Record<string, number>> =>
      retention.eventPolicy() ? { byPolicy: 1 } : { deleted: await deleteEventsBefore(db, new Date(now().getTime() - retention.eventDays * DAY_MS)) },
    leaseMs: 60 * 60_000,
  });
  // TimescaleDB's background workers do not run inside PGlite: run its policies ourselves.
  if (db.kind === 'embedded' && db.timescale) {
    jobs.push({
      name: 'timescale-policies',
      schedule: '17 * * * *',
      run: async () => {
        let ran = 0;
        for (const job of await timescalePolicyJobs(db)) {
          try {
            await runTimescaleJob(db, job.jobId);
            ran++;
          } catch (err) {
            logger.error({ err, job }, 'timescaledb policy job failed');
          }
        }
        return { ran };
      },
    });
  }
  return jobs;
}

export interface Maintenance {
  jobs: MaintenanceJob[];
  stop(): Promise<void>;
}

export function startMaintenance(db: Db, logger: Logger, dispatcher?: Dispatcher, eventRetentionDays = DEFAULT_EVENT_RETENTION_DAYS, absenceCheckS = 60): Maintenance {
  let eventPolicy = false;
  void applyEventRetentionPolicy(db, eventRetentionDays).then(
    (ok) => {
      eventPolicy = ok;
      logger.info({ eventRetentionDays, by: ok ? 'timescaledb retention policy' : 'daily delete job' }, 'sensor events are kept this long');
    },
    (err: unknown) => logger.warn({ err }, 'event retention policy not set; the daily delete job keeps it'),
  );
  const jobs = maintenanceJobs(db, logger, dispatcher, undefined, { eventDays: eventRetentionDays, eventPolicy: () => eventPolicy }, absenceCheckS);
  const coordinator = leaseCoordinator(db, `${process.pid}-${randomUUID().slice(0, 8)}`, logger);
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        const started = Date.now();
        try {
          const result = await job.run();
          logger[job.quiet ? 'debug' : 'info']({ job: job.name, ms: Date.now() - started, ...result }, 'maintenance job done');
        } catch (err) {
          logger.error({ err, job: job.name }, 'maintenance job failed');
        }
      },
      job.everyInstance
        ? { name: job.name, noOverlap: true, unref: true }
        : { name: job.name, noOverlap: true, distributed: true, runCoordinator: coordinator, distributedLease: job.leaseMs ?? 5 * 60_000, unref: true },
    ),
  );
  return {
    jobs,
    stop: async () => {
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}
