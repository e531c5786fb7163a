-- Bulk import (issue 12, item 4): the centre's own id for a resident or a caregiver, the key a
-- re-run of the same file matches on, so importing twice changes nothing. NULL for records made
-- on the page; unique where set (a NULL never collides).
ALTER TABLE residents ADD COLUMN external_ref text;
CREATE UNIQUE INDEX residents_external_ref_key ON residents (external_ref);
ALTER TABLE caregivers ADD COLUMN external_ref text;
CREATE UNIQUE INDEX caregivers_external_ref_key ON caregivers (external_ref);
