-- Failed staff logins per username (known or not, so the answer does not tell which names
-- exist). After a few failures in a row the name is locked until `locked_until`, the lock
-- doubling with each further failure; a successful login deletes the row. Shared by every
-- instance and kept across restarts; rows whose last failure is old are pruned.
CREATE TABLE login_failures (
  username         text PRIMARY KEY,
  failures         integer NOT NULL,
  last_failure_at  timestamptz NOT NULL,
  locked_until     timestamptz
);
CREATE INDEX login_failures_last_idx ON login_failures (last_failure_at);
