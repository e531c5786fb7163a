-- Per-resident rule settings (DESIGN.md "Per-resident settings"): overrides of the centre's
-- defaults, stored as the API validated them (contract/resident-settings.ts); {} = all defaults.
ALTER TABLE residents ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb;
