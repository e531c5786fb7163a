-- A device taken out of service (lost, stolen, returned): it cannot connect until enabled again,
-- and its open connections are dropped at once (DESIGN: devices; issue 11, item 4).
ALTER TABLE devices ADD COLUMN disabled boolean NOT NULL DEFAULT false;
