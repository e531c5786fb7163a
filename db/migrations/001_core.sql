-- Core schema: care-centre structure, devices, staff, and the events time series.
-- Runs on TimescaleDB (events become a hypertable) and on plain PostgreSQL (ordinary tables).

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
    EXCEPTION WHEN OTHERS THEN
      -- installed but not preloaded: fall back to plain tables
      RAISE NOTICE 'timescaledb not usable here (%); using plain tables', SQLERRM;
    END;
  END IF;
END $$;

CREATE TABLE areas (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('district', 'street', 'community', 'grid')),
  parent_id   uuid REFERENCES areas (id) ON DELETE RESTRICT,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX areas_parent_idx ON areas (parent_id);

CREATE TABLE residents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  area_id     uuid NOT NULL REFERENCES areas (id) ON DELETE RESTRICT,
  address     text,
  phone       text,
  notes       text,
  contacts    jsonb NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX residents_area_idx ON residents (area_id);

CREATE TABLE devices (
  id            text PRIMARY KEY,
  kind          text NOT NULL,
  resident_id   uuid REFERENCES residents (id) ON DELETE SET NULL,
  secret_hash   text NOT NULL,
  online        boolean NOT NULL DEFAULT false,
  battery       real,
  rssi          integer,
  fw            text,
  last_seen_at  timestamptz,
  status_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_resident_idx ON devices (resident_id);

CREATE TABLE caregivers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  phone        text,
  wearable_id  text UNIQUE REFERENCES devices (id) ON DELETE SET NULL,
  role         text NOT NULL DEFAULT 'caregiver' CHECK (role IN ('caregiver', 'supervisor')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE caregiver_areas (
  caregiver_id  uuid NOT NULL REFERENCES caregivers (id) ON DELETE CASCADE,
  area_id       uuid NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
  PRIMARY KEY (caregiver_id, area_id)
);
CREATE INDEX caregiver_areas_area_idx ON caregiver_areas (area_id);

CREATE TABLE shifts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  caregiver_id  uuid NOT NULL REFERENCES caregivers (id) ON DELETE CASCADE,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_time_idx ON shifts (starts_at, ends_at);
CREATE INDEX shifts_caregiver_idx ON shifts (caregiver_id, starts_at);

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username       text NOT NULL UNIQUE,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'operator', 'caregiver')),
  caregiver_id   uuid REFERENCES caregivers (id) ON DELETE CASCADE,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Duplicate suppression: one row per (device, event id, content fingerprint). A hypertable
-- cannot carry a unique index without its time column, and a retransmission has a new receive
-- time, so the key lives in this small plain table (pruned by age) and events only get rows
-- that won it. The fingerprint keeps a device whose counter restarted (same id, new content)
-- from having real events taken for retransmissions.
CREATE TABLE event_keys (
  device_id    text NOT NULL,
  event_id     text NOT NULL,
  fingerprint  text NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, event_id, fingerprint)
);
CREATE INDEX event_keys_received_idx ON event_keys (received_at);

CREATE TABLE events (
  received_at  timestamptz NOT NULL,
  device_id    text NOT NULL,
  resident_id  uuid,
  event_id     text NOT NULL,
  type         text NOT NULL,
  device_ts    timestamptz,
  data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_device_idx ON events (device_id, received_at DESC);
CREATE INDEX events_resident_idx ON events (resident_id, received_at DESC);
CREATE INDEX events_type_idx ON events (type, received_at DESC);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    PERFORM create_hypertable('events', 'received_at', chunk_time_interval => interval '1 day');
    BEGIN
      ALTER TABLE events SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id',
                              timescaledb.compress_orderby = 'received_at DESC');
      PERFORM add_compression_policy('events', interval '7 days');
    EXCEPTION WHEN OTHERS THEN
      -- compression is a TSL feature: Apache-only builds keep uncompressed chunks
      RAISE NOTICE 'events compression not available (%)', SQLERRM;
    END;
  ELSE
    -- plain PostgreSQL: a BRIN index keeps time-range scans cheap on an append-only table
    CREATE INDEX events_received_brin ON events USING brin (received_at);
  END IF;
END $$;
