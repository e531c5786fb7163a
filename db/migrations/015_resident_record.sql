ALTER TABLE residents ADD COLUMN access_info text;
