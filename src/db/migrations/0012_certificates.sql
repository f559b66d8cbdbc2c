-- Evidence certificates (issue 12): what the platform signs when a partner's evidence document
-- verifies. The evidence worker issues one inside its own transaction (row, ledger entry, webhook,
-- usage); the PDF is rendered once the ledger entry has a receipt and kept in object storage.
-- See src/modules/certificates/.

CREATE TABLE certificates (
  id text PRIMARY KEY CHECK (id LIKE 'crt\_%'),
  -- What the QR code, /verify/{public_id} and the ledger leaf name: 128 random bits, lowercase
  -- Crockford base32, drawn on its own (nothing internal can be derived from it).
  public_id text NOT NULL UNIQUE CHECK (public_id ~ '^[0-7][0-9a-hjkmnp-tv-z]{25}$'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  -- The evidence record (evidence module) the certificate is for: one certificate per evidence.
  -- No foreign key: the modules own their tables, and a certificate outlives nothing it names.
  evidence_id text NOT NULL UNIQUE CHECK (char_length(evidence_id) BETWEEN 1 AND 64),
  document_sha256 text NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
  -- RFC 8785 canonical JSON of the certificate body: exactly the JWS payload.
  body text NOT NULL CHECK (octet_length(body) BETWEEN 2 AND 65536),
  jws text NOT NULL,
  -- The `certificates` platform key that signed the JWS.
  key_id text NOT NULL REFERENCES platform_keys (id),
  status text NOT NULL DEFAULT 'CERTIFIED_NO_ANCHOR' CHECK (status IN ('CERTIFIED_NO_ANCHOR', 'REVOKED')),
  revoked_at timestamptz,
  revocation_reason text CHECK (char_length(revocation_reason) BETWEEN 1 AND 500),
  -- The rendered PDF (object storage key and its SHA-256), null until first rendered and again
  -- after a revocation (the next download says revoked).
  pdf_object_key text,
  pdf_sha256 text CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  CHECK ((status = 'REVOKED') = (revoked_at IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL)),
  CHECK ((pdf_object_key IS NULL) = (pdf_sha256 IS NULL))
);
-- A partner's certificates newest first (ids are time-ordered): listing and cursor pagination.
CREATE INDEX certificates_client_id_idx ON certificates (client_id, id);
-- The ledger audit looks for certificates issued or revoked since a time that have no entry.
CREATE INDEX certificates_created_at_idx ON certificates (created_at);
CREATE INDEX certificates_revoked_at_idx ON certificates (revoked_at) WHERE revoked_at IS NOT NULL;

-- The self-signed X.509 certificate of each `certificate-pdf` platform key (ECDSA P-256), which the
-- PDF signature carries and GET /api/v1/certificates/keys publishes. Made once per key: the first
-- replica's row wins, so every PDF signed with a key carries the same certificate.
CREATE TABLE certificate_pdf_signers (
  key_id text PRIMARY KEY REFERENCES platform_keys (id),
  certificate_der bytea NOT NULL CHECK (octet_length(certificate_der) BETWEEN 64 AND 16384),
  created_at timestamptz NOT NULL DEFAULT now()
);
