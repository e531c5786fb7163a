-- Reminders sent for absences (a check-in not yet made today): one row per key, so each is
-- sent once even with several instances sweeping. Alarms for absences need no row here: their
-- id derives from the same key.
CREATE TABLE absence_notices (
  key      text PRIMARY KEY,
  sent_at  timestamptz NOT NULL
);
CREATE INDEX absence_notices_sent_idx ON absence_notices (sent_at);

-- "Was this absence (or event) already part of an alarm?" without knowing which alarm.
CREATE INDEX alarm_events_event_idx ON alarm_events (device_id, event_id);

-- A caregiver's own alarms ("alerted to or holding"): GET /api/alarms for the caregiver role.
CREATE INDEX alarms_notified_idx ON alarms USING gin (notified);
