-- The id of the last decision written to each alarm. While the database is away the dispatcher
-- decides from memory and writes later; a write whose COMMIT may or may not have landed before
-- the connection died is replayed, and this id tells a replay that it is already there.
ALTER TABLE alarms ADD COLUMN write_id uuid;
