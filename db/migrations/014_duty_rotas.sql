-- Duty (DESIGN "Duty: weekly rotas, absences, who is on duty"; issue 12 item 1). A rota is a
-- weekly pattern in local wall time (the service's TZ), expanded into instants by
-- dispatch-console/core/duty-rules.ts, so DST changes follow the wall clock; an absence
-- removes its caregiver from duty in [starts_at, ends_at), whatever rota or shift says.
CREATE TABLE rotas (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  caregiver_id  uuid NOT NULL REFERENCES caregivers (id) ON DELETE CASCADE,
  days          text[] NOT NULL CHECK (cardinality(days) BETWEEN 1 AND 7 AND days <@ ARRAY['mon','tue','wed','thu','fri','sat','sun']),
  start_time    text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_time      text NOT NULL CHECK (end_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  valid_from    date NOT NULL,
  valid_until   date CHECK (valid_until IS NULL OR valid_until >= valid_from),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rotas_caregiver_idx ON rotas (caregiver_id);

CREATE TABLE absences (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  caregiver_id  uuid NOT NULL REFERENCES caregivers (id) ON DELETE CASCADE,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('leave', 'sickness', 'training', 'other')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX absences_caregiver_idx ON absences (caregiver_id, starts_at);
CREATE INDEX absences_time_idx ON absences (starts_at, ends_at);
