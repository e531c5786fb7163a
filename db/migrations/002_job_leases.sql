-- Periodic jobs (pruning, TimescaleDB policies in embedded mode) run on one instance at a
-- time when several share the database: whoever holds an unexpired lease runs the job.
CREATE TABLE job_leases (
  key         text PRIMARY KEY,
  holder      text NOT NULL,
  expires_at  timestamptz NOT NULL
);
