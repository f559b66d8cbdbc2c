-- Webhook endpoints move out of api_clients into a table the webhooks module owns: one row per
-- partner with a webhook URL (removing the URL deletes the row, secrets and state included).
CREATE TABLE webhook_endpoints (
  client_id text PRIMARY KEY REFERENCES api_clients (id) ON DELETE CASCADE,
  url text NOT NULL,
  -- AES-256-GCM sealed; the associated data is still `api_clients.webhook_secret:<client id>`,
  -- so the sealed values copied below open unchanged.
  secret_sealed text NOT NULL,
  -- The secret a rotation replaced keeps signing beside the current one until it expires (24 h).
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  -- A receiver answering 410 Gone disables the endpoint until the operator sets its URL again.
  disabled_at timestamptz,
  disabled_reason text,
  CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL))
);

-- Without a URL, the old columns held no state that matters: setting a URL clears it again.
INSERT INTO webhook_endpoints (client_id, url, secret_sealed, previous_secret_sealed, previous_secret_expires_at, disabled_at, disabled_reason)
SELECT id, webhook_url, webhook_secret_sealed, webhook_secret_previous_sealed, webhook_secret_previous_expires_at, webhook_disabled_at, webhook_disabled_reason
  FROM api_clients
 WHERE webhook_url IS NOT NULL;

-- The old api_clients columns stay: while a rolling deploy is under way, replicas of the previous
-- release still query them (on every verification, to queue its webhook), and those queries would
-- fail once the columns were dropped. Webhook settings changed through an old replica in that
-- window are not carried over. Nothing reads or writes the old columns from this release on; a
-- later migration drops them once no replica runs an older release.
