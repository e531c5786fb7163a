-- Response-time reports (GET /api/reports/response-times): one fact row per alarm, kept in
-- step with `alarms` by a trigger, so reports never parse timelines or JSON. With TimescaleDB
-- it is a hypertable with a 15-minute continuous aggregate of the additive figures (counts,
-- within-limit counts, maxima); percentiles cannot be rolled up and always read the facts.

CREATE TABLE alarm_responses (
  raised_at             timestamptz NOT NULL,
  alarm_id              uuid NOT NULL,
  area_id               uuid,                  -- no foreign keys: facts outlive what they name
  accepted_by           uuid,                  -- the caregiver who accepted (null: none did)
  accepted_by_name      text,
  lane                  text NOT NULL,
  kind                  text NOT NULL,
  priority              text NOT NULL,
  status                text NOT NULL,
  accept_ms             bigint,                -- raised → accepted; null until accepted
  arrive_ms             bigint,                -- raised → on site
  resolve_ms            bigint,                -- raised → resolved (not set for cancelled alarms)
  accept_limit_s        integer NOT NULL,      -- the alarm's own limits, as snapshotted at opening
  arrive_limit_s        integer NOT NULL,
  cancelled_unaccepted  boolean NOT NULL,      -- cancelled before anyone accepted: needed no answer
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alarm_id, raised_at)            -- a hypertable's unique keys must hold its time column
);
-- the caregiver's last known name, when the caregiver row is gone
CREATE INDEX alarm_responses_accepted_by_idx ON alarm_responses (accepted_by, raised_at DESC);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('alarm_responses', 'raised_at', chunk_time_interval => interval '30 days');
  ELSE
    CREATE INDEX alarm_responses_raised_idx ON alarm_responses (raised_at);
  END IF;
END $$;

-- Milliseconds from raising; exact (extract() is numeric), rounded to the millisecond.
CREATE FUNCTION alarm_response_ms(since timestamptz, upto timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$ SELECT round(extract(epoch FROM upto - since) * 1000)::bigint $$;

-- The fact row of one alarm: used by the trigger and the backfill alike.
CREATE FUNCTION alarm_response_of(a alarms) RETURNS alarm_responses LANGUAGE sql STABLE AS $$
  SELECT a.raised_at, a.id, a.area_id, a.accepted_by, a.accepted_by_name, a.lane, a.kind, a.priority, a.status,
         alarm_response_ms(a.raised_at, a.accepted_at),
         alarm_response_ms(a.raised_at, a.arrived_at),
         CASE WHEN a.status = 'resolved' THEN alarm_response_ms(a.raised_at, a.closed_at) END,
         a.accept_limit_s, a.arrive_limit_s,
         a.status = 'cancelled' AND a.accepted_at IS NULL,
         now()
$$;

CREATE FUNCTION alarm_responses_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR OLD.raised_at IS DISTINCT FROM NEW.raised_at) THEN
    DELETE FROM alarm_responses WHERE alarm_id = OLD.id AND raised_at = OLD.raised_at;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN NULL;
  END IF;
  INSERT INTO alarm_responses SELECT r.* FROM alarm_response_of(NEW) r
  ON CONFLICT (alarm_id, raised_at) DO UPDATE SET
    area_id = EXCLUDED.area_id,
    -- deleting a caregiver nulls alarms.accepted_by (ON DELETE SET NULL); the alarm was still
    -- accepted by them, so the fact keeps the id while the acceptance stands
    accepted_by = CASE WHEN EXCLUDED.accept_ms IS NULL THEN NULL
                       ELSE COALESCE(EXCLUDED.accepted_by, alarm_responses.accepted_by) END,
    accepted_by_name = CASE WHEN EXCLUDED.accept_ms IS NULL THEN NULL
                            ELSE COALESCE(EXCLUDED.accepted_by_name, alarm_responses.accepted_by_name) END,
    lane = EXCLUDED.lane,
    kind = EXCLUDED.kind,
    priority = EXCLUDED.priority,
    status = EXCLUDED.status,
    accept_ms = EXCLUDED.accept_ms,
    arrive_ms = EXCLUDED.arrive_ms,
    resolve_ms = EXCLUDED.resolve_ms,
    accept_limit_s = EXCLUDED.accept_limit_s,
    arrive_limit_s = EXCLUDED.arrive_limit_s,
    cancelled_unaccepted = EXCLUDED.cancelled_unaccepted,
    updated_at = EXCLUDED.updated_at;
  RETURN NULL;
END $$;

CREATE TRIGGER alarm_responses_insert AFTER INSERT ON alarms
  FOR EACH ROW EXECUTE FUNCTION alarm_responses_sync();
-- Escalation rewrites the alarm row every step (deadline, notified, token): only changes that
-- a report sees touch the facts, which also spares the aggregate needless invalidations.
CREATE TRIGGER alarm_responses_update AFTER UPDATE ON alarms
  FOR EACH ROW WHEN ((OLD.raised_at, OLD.area_id, OLD.accepted_by, OLD.accepted_by_name, OLD.lane, OLD.kind, OLD.priority,
                      OLD.status, OLD.accepted_at, OLD.arrived_at, OLD.closed_at, OLD.accept_limit_s, OLD.arrive_limit_s)
                     IS DISTINCT FROM
                     (NEW.raised_at, NEW.area_id, NEW.accepted_by, NEW.accepted_by_name, NEW.lane, NEW.kind, NEW.priority,
                      NEW.status, NEW.accepted_at, NEW.arrived_at, NEW.closed_at, NEW.accept_limit_s, NEW.arrive_limit_s))
  EXECUTE FUNCTION alarm_responses_sync();
CREATE TRIGGER alarm_responses_delete AFTER DELETE ON alarms
  FOR EACH ROW EXECUTE FUNCTION alarm_responses_sync();

INSERT INTO alarm_responses SELECT r.* FROM alarms a, alarm_response_of(a) r;

-- The continuous aggregate. `WITH NO DATA` is what lets it be created inside the migration's
-- transaction (materialising is what refuses to run in one); the report refreshes the window
-- it reads first, and the policy keeps it warm (embedded: runtime/maintenance.ts runs it).
-- Real-time (materialized_only = false): buckets past the last refresh come from the facts.
-- db/queries/reports.ts computes the same columns from the facts: keep the two in step.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    BEGIN
      EXECUTE $view$
        CREATE MATERIALIZED VIEW alarm_responses_15m
          WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT time_bucket(interval '15 minutes', raised_at) AS bucket, area_id, accepted_by, kind,
               count(*) AS alarms,
               count(*) FILTER (WHERE cancelled_unaccepted) AS cancelled_unaccepted,
               count(accept_ms) AS accept_count, max(accept_ms) AS accept_max,
               count(arrive_ms) AS arrive_count, max(arrive_ms) AS arrive_max,
               count(resolve_ms) AS resolve_count, max(resolve_ms) AS resolve_max,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= accept_limit_s * 1000::bigint) AS within_accept,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= arrive_limit_s * 1000::bigint) AS within_arrive,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= 60000) AS accept_60s,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND accept_ms <= 180000) AS accept_180s,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= 2700000) AS arrive_45m,
               count(*) FILTER (WHERE NOT cancelled_unaccepted AND arrive_ms <= 3600000) AS arrive_60m
          FROM alarm_responses
         GROUP BY bucket, area_id, accepted_by, kind
        WITH NO DATA
      $view$;
      -- start_offset NULL: alarms change long after they are raised (resolved hours later), so
      -- every run takes in all pending invalidations, not only recent ones. Batched refreshes
      -- (2.19+, on by default) made the first run take ~5 s in the embedded database, which
      -- has one connection for everything: off (buckets_per_batch => 0; older versions lack it).
      BEGIN
        PERFORM add_continuous_aggregate_policy('alarm_responses_15m',
          start_offset => NULL, end_offset => interval '15 minutes', schedule_interval => interval '1 hour',
          buckets_per_batch => 0);
      EXCEPTION WHEN undefined_function THEN
        PERFORM add_continuous_aggregate_policy('alarm_responses_15m',
          start_offset => NULL, end_offset => interval '15 minutes', schedule_interval => interval '1 hour');
      END;
    EXCEPTION WHEN OTHERS THEN
      -- continuous aggregates are a TSL feature: an Apache-only build reports from the facts
      RAISE NOTICE 'continuous aggregate alarm_responses_15m not available (%)', SQLERRM;
    END;
  END IF;
END $$;
