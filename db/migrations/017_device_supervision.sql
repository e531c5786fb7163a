-- Device supervision (issue 13): how often each device must be heard, and whether the sweep
-- has flagged it offline (the flag is what makes "state changes only" survive a restart).
-- heartbeat_s NULL = the kind's default (300 s; 900 s for sensors); 0 = not supervised.
ALTER TABLE devices ADD COLUMN heartbeat_s integer CHECK (heartbeat_s IS NULL OR (heartbeat_s >= 0 AND heartbeat_s <= 604800));
ALTER TABLE devices ADD COLUMN offline_since timestamptz;
-- The last message of any kind (event, heartbeat, status, ack, connect, drop) on the service's
-- clock: written in batches by the supervision sweep (one UPDATE for every device heard since),
-- never per message; it is what a restart reads back. (last_seen_at stays the console's "seen
-- online" time, written with the status and event writes that happen anyway.)
ALTER TABLE devices ADD COLUMN last_heard_at timestamptz;

-- Technical alarms group per device (a second pendant's flat battery is its own alarm, a
-- device's fault and battery are one); every other lane still groups per resident and lane.
DROP INDEX alarms_one_active_per_resident;
CREATE UNIQUE INDEX alarms_one_active_per_resident_lane ON alarms (resident_id, lane)
  WHERE lane <> 'technical' AND status IN ('open', 'accepted', 'on_site');
CREATE UNIQUE INDEX alarms_one_active_technical_per_device ON alarms (device_id)
  WHERE lane = 'technical' AND status IN ('open', 'accepted', 'on_site');
