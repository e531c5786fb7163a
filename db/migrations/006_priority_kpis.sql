-- The emergency-response KPIs (accepted within 60 s / 180 s, arrived within 45 / 60 min) are
-- judged over emergency alarms, and urgent alarms apart: counted over every alarm, a day of
-- battery-low (technical) alarms with a one-day limit made a centre that accepted every
-- emergency in seconds look like it was failing. The aggregate gains the per-priority counts;
-- it is rebuilt from the facts (its buckets refill on the next report or policy run).
DO $$
BEGIN
  IF to_regclass('alarm_responses_15m') IS NOT NULL THEN
    BEGIN
      PERFORM remove_continuous_aggregate_policy('alarm_responses_15m', if_exists => true);
      EXECUTE 'DROP MATERIALIZED VIEW alarm_responses_15m';
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
               count(*) FILTER (WHERE priority = 'emergency') AS em_alarms,
               count(*) FILTER (WHERE priority = 'emergency' AND cancelled_unaccepted) AS em_cancelled_unaccepted,
               count(*) FILTER (WHERE priority = 'emergency' AND NOT cancelled_unaccepted AND accept_ms <= 60000) AS em_accept_60s,
               count(*) FILTER (WHERE priority = 'emergency' AND NOT cancelled_unaccepted AND accept_ms <= 180000) AS em_accept_180s,
               count(*) FILTER (WHERE priority = 'emergency' AND NOT cancelled_unaccepted AND arrive_ms <= 2700000) AS em_arrive_45m,
               count(*) FILTER (WHERE priority = 'emergency' AND NOT cancelled_unaccepted AND arrive_ms <= 3600000) AS em_arrive_60m,
               count(*) FILTER (WHERE priority = 'urgent') AS ur_alarms,
               count(*) FILTER (WHERE priority = 'urgent' AND cancelled_unaccepted) AS ur_cancelled_unaccepted,
               count(*) FILTER (WHERE priority = 'urgent' AND NOT cancelled_unaccepted AND accept_ms <= 60000) AS ur_accept_60s,
               count(*) FILTER (WHERE priority = 'urgent' AND NOT cancelled_unaccepted AND accept_ms <= 180000) AS ur_accept_180s,
               count(*) FILTER (WHERE priority = 'urgent' AND NOT cancelled_unaccepted AND arrive_ms <= 2700000) AS ur_arrive_45m,
               count(*) FILTER (WHERE priority = 'urgent' AND NOT cancelled_unaccepted AND arrive_ms <= 3600000) AS ur_arrive_60m
          FROM alarm_responses
         GROUP BY bucket, area_id, accepted_by, kind
        WITH NO DATA
      $view$;
      BEGIN
        PERFORM add_continuous_aggregate_policy('alarm_responses_15m',
          start_offset => NULL, end_offset => interval '15 minutes', schedule_interval => interval '1 hour',
          buckets_per_batch => 0);
      EXCEPTION WHEN undefined_function THEN
        PERFORM add_continuous_aggregate_policy('alarm_responses_15m',
          start_offset => NULL, end_offset => interval '15 minutes', schedule_interval => interval '1 hour');
      END;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'continuous aggregate alarm_responses_15m not rebuilt (%)', SQLERRM;
    END;
  END IF;
END $$;
