-- E-mail notifications (issue 13, part 4): a partner's notification address, and an outbox of
-- e-mails shaped like the webhook outbox (0003): the row is written in the transaction of the
-- outcome it announces, workers claim due rows with FOR UPDATE SKIP LOCKED and keep them locked
-- while they talk to the SMTP server; every attempt is a row; dead letters are redriven.
-- See src/modules/notifications/.

-- One row per partner that wants e-mail: the address and which events it wants.
CREATE TABLE notification_settings (
  client_id text PRIMARY KEY REFERENCES api_clients (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  events text[] NOT NULL CHECK (cardinality(events) >= 1),
  updated_at timestamptz NOT NULL
);

-- `attempt` counts the attempts of the current round (it drives the retry schedule and is reset
-- by a resend or a redrive); `attempts_total` numbers the attempt rows across rounds.
CREATE TABLE notifications_outbox (
  id text PRIMARY KEY CHECK (id LIKE 'ntf\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  event_type text NOT NULL CHECK (event_type IN ('certificate.issued', 'evidence.rejected')),
  subject_id text,
  -- What the e-mail says, as the producer wrote it (json keeps the key order).
  payload json NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  attempts_total integer NOT NULL DEFAULT 0 CHECK (attempts_total >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  dead_at timestamptz,
  last_attempt_at timestamptz,
  last_error text
);
CREATE INDEX notifications_outbox_pending_idx ON notifications_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_outbox_dead_idx ON notifications_outbox (id) WHERE status = 'dead';
CREATE INDEX notifications_outbox_client_id_idx ON notifications_outbox (client_id, id);

CREATE TABLE notification_attempts (
  id text PRIMARY KEY CHECK (id LIKE 'nta\_%'),
  notification_id text NOT NULL REFERENCES notifications_outbox (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL,
  recipient text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('sent', 'failed')),
  -- The SMTP reply code of the failure (or of the accepted message), when the server gave one.
  smtp_code integer,
  -- How the certificate PDF went: attached, linked (over the size limit or not rendered in time); null for other events.
  pdf text CHECK (pdf IN ('attached', 'linked')),
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  error_code text,
  error_message text CHECK (char_length(error_message) <= 1000),
  UNIQUE (notification_id, attempt)
);
