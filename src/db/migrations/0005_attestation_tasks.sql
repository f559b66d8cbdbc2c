-- TEE attestation verification tasks (the seed's DStack Verifier Server as a module).
-- A partner submits evidence; the row is written with a pg-boss job in one transaction; a worker
-- verifies it off the request path and finishes the row, with its usage, webhook and ledger rows,
-- in one transaction. The full result document lives in object storage; the row keeps a summary.

CREATE TABLE attestation_tasks (
  id text PRIMARY KEY CHECK (id LIKE 'tsk\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  -- The pg-boss job that carries the task (the seed's bullJobId).
  job_name text NOT NULL,
  job_id text,
  app_id text NOT NULL,
  app_name text NOT NULL,
  app_config_type text NOT NULL CHECK (app_config_type IN ('redpill', 'phala_cloud')),
  contract_address text,
  model_or_domain text,
  app_metadata jsonb,
  verification_flags jsonb NOT NULL,
  -- The submitted evidence, kept until the task finishes; then it is archived inside the result
  -- document in object storage and cleared here, so finished rows stay small.
  evidence jsonb,
  evidence_sha256 text NOT NULL CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
  evidence_bytes integer NOT NULL CHECK (evidence_bytes > 0),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'completed', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  error_code text,
  error_message text,
  is_valid boolean,
  tcb_status text,
  summary jsonb,
  result_sha256 text CHECK (result_sha256 ~ '^[0-9a-f]{64}$'),
  result_jwt text,
  s3_filename text,
  s3_key text,
  s3_bucket text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  CHECK ((status IN ('completed', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
  CHECK (status <> 'completed' OR (is_valid IS NOT NULL AND s3_key IS NOT NULL))
);
-- A partner's tasks newest first (ids are time-ordered): listing and cursor pagination.
CREATE INDEX attestation_tasks_client_id_idx ON attestation_tasks (client_id, id);
-- Queue status counts only what is still to do; a partial index stays small.
CREATE INDEX attestation_tasks_open_idx ON attestation_tasks (status, created_at) WHERE status IN ('pending', 'active');

-- Intel PCS/PCCS collateral per platform, uploaded by the operator or fetched from PCCS_URL.
-- Stored as submitted (the JSON dcap-qvl takes); validity is re-checked at every verification.
CREATE TABLE attestation_collateral (
  tee text NOT NULL CHECK (tee IN ('tdx', 'sgx')),
  fmspc text NOT NULL CHECK (fmspc ~ '^[0-9a-f]{12}$'),
  pck_ca text NOT NULL CHECK (pck_ca IN ('processor', 'platform')),
  collateral jsonb NOT NULL,
  digest text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  source text NOT NULL CHECK (source IN ('upload', 'pccs')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tee, fmspc, pck_ca)
);

-- Reference boot measurements per dstack OS image (the `os` verification flag compares the
-- quote's MRTD and RTMR0..2 with them), registered by the operator.
CREATE TABLE attestation_os_images (
  os_image_hash text PRIMARY KEY CHECK (os_image_hash ~ '^[0-9a-f]{64}$'),
  label text,
  mr_td text NOT NULL CHECK (mr_td ~ '^[0-9a-f]{96}$'),
  rt_mr0 text NOT NULL CHECK (rt_mr0 ~ '^[0-9a-f]{96}$'),
  rt_mr1 text NOT NULL CHECK (rt_mr1 ~ '^[0-9a-f]{96}$'),
  rt_mr2 text NOT NULL CHECK (rt_mr2 ~ '^[0-9a-f]{96}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Operator switches per queue, read by every worker before it takes work: pausing here pauses
-- all worker processes on this database, not only the one that received the request.
CREATE TABLE queue_controls (
  queue text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text
);
INSERT INTO queue_controls (queue) VALUES ('attestations.verify-task');
