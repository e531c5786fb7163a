-- Service orders (DESIGN "Service orders"): caregivers carry the service kinds they do, and a
-- service request is an order of its own: its own lane (never merged with an emergency of the
-- same resident), and the service kind it asks for kept on the alarm for routing, alerts and SMS.

-- e.g. ["meal", "bathing"]: the service kinds of contract/device-messages.ts serviceKinds
ALTER TABLE caregivers ADD COLUMN skills jsonb NOT NULL DEFAULT '[]';

-- 'meal', 'bathing', ... for service orders; null for every other alarm
ALTER TABLE alarms ADD COLUMN service text;

-- a third lane: the unique index on (resident_id, lane) then allows one active care alarm and
-- one active service order per resident side by side
ALTER TABLE alarms DROP CONSTRAINT alarms_lane_check;
ALTER TABLE alarms ADD CONSTRAINT alarms_lane_check CHECK (lane IN ('care', 'technical', 'service'));

-- orders raised before: a care-lane alarm still of priority service was a service request
UPDATE alarms SET lane = 'service' WHERE lane = 'care' AND priority = 'service';
