-- Signed evidence (issue 12): the trust anchors partners configure, the platform's evidence
-- encryption key, and the submitted CMS documents with their verification state. A submission's
-- bytes live in object storage (content-addressed); its row and its pg-boss job commit together.

-- X.509 CA certificates and CRLs a partner trusts: `signing` anchors for the signers of its
-- evidence, `timestamping` anchors for RFC 3161 TSAs. Operator-wide TSA anchors have no client.
CREATE TABLE evidence_trust_anchors (
  id text PRIMARY KEY CHECK (id LIKE 'tra\_%'),
  client_id text REFERENCES api_clients (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('signing', 'timestamping')),
  kind text NOT NULL CHECK (kind IN ('certificate', 'crl')),
  -- SHA-256 of the DER, lowercase hex: what partners name an anchor by.
  sha256_fingerprint text NOT NULL CHECK (sha256_fingerprint ~ '^[0-9a-f]{64}$'),
  der bytea NOT NULL CHECK (octet_length(der) BETWEEN 1 AND 1048576),
  issuer text NOT NULL CHECK (char_length(issuer) <= 4096),
  -- Certificates only.
  subject text CHECK (char_length(subject) <= 4096),
  serial_number text CHECK (char_length(serial_number) <= 512),
  not_before timestamptz,
  not_after timestamptz,
  self_signed boolean,
  -- CRLs only.
  this_update timestamptz,
  next_update timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (client_id IS NOT NULL OR role = 'timestamping'),
  CHECK ((kind = 'certificate') = (subject IS NOT NULL AND not_before IS NOT NULL AND not_after IS NOT NULL AND self_signed IS NOT NULL)),
  CHECK ((kind = 'crl') = (this_update IS NOT NULL)),
  CONSTRAINT evidence_trust_anchors_owner_fingerprint_key UNIQUE NULLS NOT DISTINCT (client_id, role, sha256_fingerprint)
);
CREATE INDEX evidence_trust_anchors_client_idx ON evidence_trust_anchors (client_id, role, id);

-- The key partners encrypt evidence to (CMS EnvelopedData, RSA key transport): an RSA key and
-- its self-signed certificate, the private key sealed with VERIDITY_ENCRYPTION_KEY (the sealing
-- binds the key id). One active key; a retired one still decrypts what was encrypted to it.
CREATE TABLE evidence_encryption_keys (
  -- SHA-256 of the certificate's DER, lowercase hex.
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  certificate bytea NOT NULL,
  private_key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE UNIQUE INDEX evidence_encryption_keys_active_idx ON evidence_encryption_keys ((true)) WHERE retired_at IS NULL;

-- Submitted CMS documents (SignedData, or EnvelopedData around one). received -> validating ->
-- certified | rejected (the evidence does not verify: error_code, never retried) | failed (it
-- could not be decided: infrastructure failures after every retry, or a verification that ran
-- out of time; submitting the same DER again queues it again).
CREATE TABLE evidence_submissions (
  id text PRIMARY KEY CHECK (id LIKE 'evd\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  der_sha256 text NOT NULL CHECK (der_sha256 ~ '^[0-9a-f]{64}$'),
  der_bytes integer NOT NULL CHECK (der_bytes BETWEEN 1 AND 1048576),
  object_key text NOT NULL,
  -- The detached content, when it came separately.
  content_object_key text,
  content_bytes integer CHECK (content_bytes BETWEEN 0 AND 1048576),
  filename text CHECK (char_length(filename) BETWEEN 1 AND 255),
  metadata jsonb CHECK (octet_length(metadata::text) <= 8192),
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'validating', 'certified', 'rejected', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  job_id text,
  error_code text,
  error_message text CHECK (char_length(error_message) <= 2000),
  -- The JSON Schema path of an invalid erasure report (CONTENT_INVALID).
  error_path text CHECK (char_length(error_path) <= 1000),
  -- What verification found (certified): the signed content, its type and schema, and whether it came encrypted.
  document_sha256 text CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  media_type text,
  document_schema text,
  encrypted boolean,
  -- The certificate issued for it, a copy of the certificates module's ids for display.
  certificate_id text,
  certificate_public_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  UNIQUE (client_id, der_sha256),
  CHECK ((content_object_key IS NULL) = (content_bytes IS NULL)),
  CHECK ((status IN ('certified', 'rejected', 'failed')) = (finished_at IS NOT NULL)),
  CHECK ((status = 'certified') = (certificate_id IS NOT NULL AND document_sha256 IS NOT NULL)),
  CHECK ((status IN ('rejected', 'failed')) = (error_code IS NOT NULL))
);
-- A partner's submissions newest first (ids are time-ordered): listing and cursor pagination.
CREATE INDEX evidence_submissions_client_id_idx ON evidence_submissions (client_id, id);
CREATE INDEX evidence_submissions_client_status_idx ON evidence_submissions (client_id, status, id);
-- Rejections decided recently, for the ledger audit's search of outcomes without an entry.
CREATE INDEX evidence_submissions_rejected_idx ON evidence_submissions (finished_at) WHERE status = 'rejected';
