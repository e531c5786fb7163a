-- Inbound SMS replies (POST /twilio/sms), each handled once: a replayed or retried webhook
-- with the same MessageSid gets the stored answer again and changes nothing. `outcome` is
-- null while the first delivery is being answered (a claim; an old unanswered one is stale).
CREATE TABLE sms_replies (
  message_sid  text PRIMARY KEY,
  from_digits  text NOT NULL,                    -- the sender's number, digits only
  outcome      jsonb,
  received_at  timestamptz NOT NULL,
  answered_at  timestamptz
);
CREATE INDEX sms_replies_received_idx ON sms_replies (received_at);

-- Reply codes from a number that matched no alarm it may answer. A number with too many
-- within the window is answered "too many attempts" without its codes being read; rows
-- older than the window are pruned. Shared by every instance, kept across restarts.
CREATE TABLE sms_reply_wrong_codes (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_digits  text NOT NULL,
  at           timestamptz NOT NULL
);
CREATE INDEX sms_reply_wrong_codes_from_idx ON sms_reply_wrong_codes (from_digits, at);
CREATE INDEX sms_reply_wrong_codes_at_idx ON sms_reply_wrong_codes (at);
