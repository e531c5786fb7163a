-- Who read or changed which record, when and from where: append-only. Rows are only ever
-- inserted; a trigger refuses UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL,
  user_id       uuid,
  username      text,
  action        text NOT NULL,
  resource      text NOT NULL,
  resource_id   text,
  resident_id   uuid,
  method        text NOT NULL,
  route         text NOT NULL,
  status        integer NOT NULL,
  ip            text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at);
CREATE INDEX audit_log_resident_idx ON audit_log (resident_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
