-- Veridity initial schema: the seed tables, adapted.
-- * No table holds a person's PII: the seed's `users` table (name, email, phone) is dropped;
--   holders keep credentials on their device and only proofs' outcomes are stored.
-- * Public ids are type-prefixed text (`cli_...`, `prf_...`), time-ordered (UUIDv7 in TypeID form).
-- * Secrets are never stored in plain text: API keys as SHA-256, webhook secrets AES-256-GCM sealed.

-- Operator bearer tokens (the bootstrap token generated at first start, or the hash of
-- VERIDITY_ADMIN_TOKEN is compared in memory and never stored).
CREATE TABLE admin_tokens (
  id text PRIMARY KEY,
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Partners (relying parties). One API key per client; rotating replaces it.
CREATE TABLE api_clients (
  id text PRIMARY KEY CHECK (id LIKE 'cli\_%'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  key_hash bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  key_prefix text NOT NULL,
  scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1),
  webhook_url text,
  webhook_secret_sealed text,
  rate_limit_per_minute integer NOT NULL DEFAULT 120 CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_used timestamptz,
  disabled_at timestamptz,
  CHECK ((webhook_url IS NULL) = (webhook_secret_sealed IS NULL))
);
CREATE INDEX api_clients_created_idx ON api_clients (created_at, id);

-- Circuit artifact versions; the *_s3 columns hold object-storage keys (file system or S3).
CREATE TABLE circuit_versions (
  id text PRIMARY KEY,
  claim_type text NOT NULL,
  semver text NOT NULL CHECK (semver ~ '^[0-9]+\.[0-9]+\.[0-9]+$'),
  vkey_s3 text NOT NULL,
  wasm_s3 text NOT NULL,
  zkey_s3 text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (claim_type, semver)
);

-- Proof requests created by partners (nonce + domain the holder's proof must bind to).
CREATE TABLE proof_requests (
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  claim_type text NOT NULL,
  nonce text NOT NULL,
  verifier_domain text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, nonce)
);
CREATE INDEX proof_requests_expires_idx ON proof_requests (expires_at);

-- Verification outcomes, partitioned by month. The primary key must contain the partition key.
-- public_hash is SHA-256 over the canonical public signals: the signals themselves are not kept.
CREATE TABLE proofs (
  id text NOT NULL,
  client_id text REFERENCES api_clients (id) ON DELETE SET NULL,
  claim_type text NOT NULL,
  circuit_version text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'verified', 'failed')),
  failure_code text,
  public_hash bytea NOT NULL,
  request_nonce text,
  proof_request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- Creates the monthly partitions from the month of `from_month` through `months_ahead` later
-- months. Idempotent; called at start-up and daily by maintenance.
CREATE FUNCTION ensure_proofs_partitions(from_month date, months_ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  created integer := 0;
  month_start date;
  part_name text;
BEGIN
  FOR i IN 0..months_ahead LOOP
    month_start := (date_trunc('month', from_month) + make_interval(months => i))::date;
    part_name := format('proofs_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(part_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF proofs FOR VALUES FROM (%L) TO (%L)',
        part_name, month_start, (month_start + interval '1 month')::date
      );
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END;
$$;

-- Indexes on the partitioned parent cascade to every partition, present and future.
CREATE INDEX proofs_client_created_idx ON proofs (client_id, created_at);
CREATE INDEX proofs_created_idx ON proofs (created_at);

SELECT ensure_proofs_partitions(current_date, 2);

-- Webhook outbox: written in the same transaction as the outcome it announces.
CREATE TABLE webhooks_outbox (
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  subject_id text,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempt integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhooks_outbox_due_idx ON webhooks_outbox (status, next_attempt_at);
CREATE INDEX webhooks_outbox_client_idx ON webhooks_outbox (client_id, created_at);

-- Audit trail of every administrative action. `details` never contains secrets.
CREATE TABLE audit_logs (
  id text PRIMARY KEY,
  actor_type text NOT NULL CHECK (actor_type IN ('admin', 'system', 'partner', 'cli')),
  actor_id text,
  action text NOT NULL,
  target_type text,
  target_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  ip inet,
  request_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_type, at);
CREATE INDEX audit_logs_target_idx ON audit_logs (target_type, target_id, at);

-- Daily usage per partner and claim type (a plain view: always current, no refresh job).
CREATE VIEW usage_daily AS
SELECT
  (date_trunc('day', created_at AT TIME ZONE 'UTC'))::date AS day,
  claim_type,
  client_id,
  count(*) FILTER (WHERE status = 'verified') AS verified,
  count(*) FILTER (WHERE status = 'failed') AS failed
FROM proofs
GROUP BY 1, 2, 3;
