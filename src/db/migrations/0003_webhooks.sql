-- Webhook delivery: every attempt is a row, dead letters, endpoint state, secret rotation.
-- The outbox row (written in the transaction of the outcome it announces) is the queue:
-- workers claim due rows with FOR UPDATE SKIP LOCKED and keep the row locked while they
-- deliver, so a worker that dies releases its rows with its connection.

-- Endpoint state beside the partner's URL and current secret:
-- * the previous secret keeps signing (next to the current one) until it expires, 24 h after
--   a rotation; sealed like the current one, with the client id as associated data;
-- * a receiver answering 410 Gone disables the endpoint until the operator sets its URL again.
ALTER TABLE api_clients
  ADD COLUMN webhook_secret_previous_sealed text,
  ADD COLUMN webhook_secret_previous_expires_at timestamptz,
  ADD COLUMN webhook_disabled_at timestamptz,
  ADD COLUMN webhook_disabled_reason text,
  ADD CONSTRAINT api_clients_webhook_previous_secret_check
    CHECK ((webhook_secret_previous_sealed IS NULL) = (webhook_secret_previous_expires_at IS NULL));

-- `attempt` counts the attempts of the current round (it drives the retry schedule and is
-- reset by a redelivery); `attempts_total` numbers the attempt rows across rounds.
ALTER TABLE webhooks_outbox
  ADD COLUMN attempts_total integer NOT NULL DEFAULT 0 CHECK (attempts_total >= 0),
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN last_error text,
  ADD COLUMN dead_at timestamptz,
  ADD CONSTRAINT webhooks_outbox_id_check CHECK (id LIKE 'whk\_%'),
  ADD CONSTRAINT webhooks_outbox_attempt_check CHECK (attempt >= 0);

-- The payload is sent as the producer wrote it: json keeps its text (and so its key order),
-- where jsonb would reorder the keys; nothing queries inside it.
ALTER TABLE webhooks_outbox ALTER COLUMN payload TYPE json USING payload::json;

-- Only pending rows are ever claimed: a partial index stays small however many were delivered.
DROP INDEX webhooks_outbox_due_idx;
CREATE INDEX webhooks_outbox_pending_idx ON webhooks_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhooks_outbox_dead_idx ON webhooks_outbox (id) WHERE status = 'dead';
-- A partner's deliveries, newest first (ids are time-ordered), for cursor pagination.
CREATE INDEX webhooks_outbox_client_id_idx ON webhooks_outbox (client_id, id);

CREATE TABLE webhook_attempts (
  id text PRIMARY KEY CHECK (id LIKE 'wha\_%'),
  delivery_id text NOT NULL REFERENCES webhooks_outbox (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL,
  url text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'refused')),
  status_code integer,
  latency_ms integer NOT NULL CHECK (latency_ms >= 0),
  error_code text,
  error_message text,
  response_body text NOT NULL DEFAULT '' CHECK (octet_length(response_body) <= 1024),
  response_body_truncated boolean NOT NULL DEFAULT false,
  UNIQUE (delivery_id, attempt)
);
