-- Zero-knowledge verification: trusted issuers, artifact hashes, single-use nonces,
-- idempotency keys, usage events, and platform signing keys.

-- Issuer public keys (BabyJubJub points, decimal strings), trusted per claim type.
-- Never an issuer's private key.
CREATE TABLE issuers (
  id text PRIMARY KEY CHECK (id LIKE 'iss\_%'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  public_key_ax text NOT NULL CHECK (public_key_ax ~ '^(0|[1-9][0-9]{0,77})$'),
  public_key_ay text NOT NULL CHECK (public_key_ay ~ '^(0|[1-9][0-9]{0,77})$'),
  claim_types text[] NOT NULL CHECK (cardinality(claim_types) >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  UNIQUE (public_key_ax, public_key_ay)
);

-- Content hashes of each artifact, served as ETags to provers.
ALTER TABLE circuit_versions
  ADD COLUMN vkey_sha256 text,
  ADD COLUMN wasm_sha256 text,
  ADD COLUMN zkey_sha256 text,
  ADD COLUMN public_signal_count integer;
CREATE INDEX circuit_versions_claim_idx ON circuit_versions (claim_type, enabled);

ALTER TABLE proof_requests ADD COLUMN used_at timestamptz;

-- A nonce is accepted once per partner: this primary key on its canonical form is the guard.
-- Rows are kept 24 h after use, then purged by maintenance.
CREATE TABLE used_nonces (
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  nonce text NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now(),
  proof_id text,
  PRIMARY KEY (client_id, nonce)
);
CREATE INDEX used_nonces_used_at_idx ON used_nonces (used_at);

-- Idempotency-Key: same key and body -> the stored response; kept 10 minutes.
CREATE TABLE idempotency_keys (
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash bytea NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status integer,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Metering: one row per billable event, written in the outcome's transaction.
CREATE TABLE usage_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  kind text NOT NULL,
  claim_type text,
  outcome text NOT NULL,
  subject_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_events_client_at_idx ON usage_events (client_id, at);

-- Platform signing keys (OAuth access tokens, ledger checkpoints): private halves sealed with
-- AES-256-GCM under VERIDITY_ENCRYPTION_KEY.
CREATE TABLE platform_keys (
  id text PRIMARY KEY,
  purpose text NOT NULL,
  algorithm text NOT NULL,
  public_key text NOT NULL,
  private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE UNIQUE INDEX platform_keys_active_idx ON platform_keys (purpose) WHERE retired_at IS NULL;
