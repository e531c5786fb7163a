-- Alarms, their append-only timelines and every notification sent for them.
-- The escalation cursor (step, deadline, token) lives on the alarm row, so a restart resumes
-- each open alarm where it was.

CREATE TABLE alarms (
  id               uuid PRIMARY KEY,             -- derived from the opening event: a resent event maps to the same alarm
  resident_id      uuid REFERENCES residents (id) ON DELETE SET NULL,
  device_id        text NOT NULL,
  area_id          uuid REFERENCES areas (id) ON DELETE SET NULL,
  lane             text NOT NULL CHECK (lane IN ('care', 'technical')),
  kind             text NOT NULL,                 -- the event type that opened it
  priority         text NOT NULL CHECK (priority IN ('emergency', 'urgent', 'service', 'technical')),
  status           text NOT NULL CHECK (status IN ('open', 'accepted', 'on_site', 'resolved', 'cancelled')),
  raised_at        timestamptz NOT NULL,          -- the gateway's receive time: trusted for response times
  accepted_at      timestamptz,
  accepted_by      uuid REFERENCES caregivers (id) ON DELETE SET NULL,
  accepted_by_name text,
  arrived_at       timestamptz,
  closed_at        timestamptz,
  outcome          text,
  resident         jsonb NOT NULL,                -- what the alerts said: name, address, grid, notes
  policy           jsonb NOT NULL,                -- escalation policy snapshot taken at opening
  accept_limit_s   integer NOT NULL,
  arrive_limit_s   integer NOT NULL,
  step             integer NOT NULL DEFAULT 0,
  step_kind        text,
  deadline         timestamptz,
  token            integer NOT NULL DEFAULT 0,
  notified         jsonb NOT NULL DEFAULT '[]',
  current_notified jsonb NOT NULL DEFAULT '[]',
  declined         jsonb NOT NULL DEFAULT '[]',
  reply_code       text NOT NULL,
  event_count      integer NOT NULL DEFAULT 1,
  last_event_at    timestamptz NOT NULL,
  arrival_overdue  boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One active alarm per resident and lane: the database arbitrates grouping across instances.
CREATE UNIQUE INDEX alarms_one_active_per_resident ON alarms (resident_id, lane) WHERE status IN ('open', 'accepted', 'on_site');
CREATE UNIQUE INDEX alarms_active_reply_code ON alarms (reply_code) WHERE status IN ('open', 'accepted', 'on_site');
CREATE INDEX alarms_deadline_idx ON alarms (deadline) WHERE status = 'open';
CREATE INDEX alarms_active_idx ON alarms (status) WHERE status IN ('open', 'accepted', 'on_site');
CREATE INDEX alarms_raised_idx ON alarms (raised_at DESC);
CREATE INDEX alarms_area_idx ON alarms (area_id, raised_at DESC);
CREATE INDEX alarms_accepted_by_idx ON alarms (accepted_by, raised_at DESC);

-- The events an alarm is made of (the first and those that joined it); the key makes a
-- retransmitted event join only once.
CREATE TABLE alarm_events (
  alarm_id     uuid NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  device_id    text NOT NULL,
  event_id     text NOT NULL,
  type         text NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (alarm_id, device_id, event_id)
);

CREATE TABLE alarm_timeline (
  id          bigserial PRIMARY KEY,
  alarm_id    uuid NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  code        text NOT NULL,
  actor_kind  text NOT NULL CHECK (actor_kind IN ('system', 'resident', 'caregiver', 'operator', 'contact')),
  actor_id    text,
  actor_name  text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alarm_timeline_alarm_idx ON alarm_timeline (alarm_id, id);
CREATE INDEX alarm_timeline_code_idx ON alarm_timeline (code, at);

-- Every alert, SMS and console call. SMS rows double as the outbox when no provider is set.
CREATE TABLE notifications (
  id              uuid PRIMARY KEY,
  alarm_id        uuid NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  step            integer NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('wearable', 'sms', 'console')),
  audience        text NOT NULL CHECK (audience IN ('caregiver', 'supervisor', 'family', 'operator')),
  caregiver_id    uuid REFERENCES caregivers (id) ON DELETE SET NULL,
  recipient_name  text,
  target          text,                          -- wearable id or phone number
  body            text,
  status          text NOT NULL CHECK (status IN ('pending', 'sent', 'queued', 'delivered', 'failed', 'outbox', 'withdrawn')),
  provider_sid    text UNIQUE,
  attempts        integer NOT NULL DEFAULT 0,
  error           text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_alarm_idx ON notifications (alarm_id, created_at);
CREATE INDEX notifications_outbox_idx ON notifications (status) WHERE status IN ('pending', 'outbox');
