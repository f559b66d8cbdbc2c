-- Enrolled evidence agents (issue 13): each partner's agent CA, one-time enrollment tokens, the
-- agents (their X.509 certificate and the hash of their ingest credential), and which agent sent a
-- submission.

-- One agent CA per partner: an ECDSA P-256 key sealed with VERIDITY_ENCRYPTION_KEY (the sealing
-- binds the CA id), its self-signed CA certificate and its current CRL (re-signed at every
-- revocation and before nextUpdate passes). A trust anchor of its partner's evidence by itself.
CREATE TABLE evidence_agent_cas (
  id text PRIMARY KEY CHECK (id LIKE 'aca\_%'),
  client_id text NOT NULL UNIQUE REFERENCES api_clients (id) ON DELETE CASCADE,
  certificate bytea NOT NULL,
  private_key_sealed text NOT NULL,
  crl bytea NOT NULL,
  crl_number bigint NOT NULL CHECK (crl_number >= 1),
  crl_next_update timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Enrollment tokens (`enr_...`): only their SHA-256 is kept; single use, 24 hours.
CREATE TABLE evidence_enrollments (
  id text PRIMARY KEY CHECK (id LIKE 'aen\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  name text CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  agent_id text
);
CREATE INDEX evidence_enrollments_client_idx ON evidence_enrollments (client_id, id);

-- Agents: the certificate the agent CA issued for the agent's own key (which never reached the
-- platform), and the SHA-256 of its ingest credential (`vag_...`). Revoked agents stay listed.
CREATE TABLE evidence_agents (
  id text PRIMARY KEY CHECK (id LIKE 'agt\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  agent_ca_id text NOT NULL REFERENCES evidence_agent_cas (id),
  enrollment_id text NOT NULL UNIQUE REFERENCES evidence_enrollments (id),
  name text CHECK (char_length(name) BETWEEN 1 AND 200),
  certificate bytea NOT NULL,
  -- Lowercase hex, no leading zeros (as the evidence verifier reads serials).
  serial_number text NOT NULL CHECK (serial_number ~ '^[0-9a-f]{1,40}$'),
  sha256_fingerprint text NOT NULL CHECK (sha256_fingerprint ~ '^[0-9a-f]{64}$'),
  key_algorithm text NOT NULL,
  not_after timestamptz NOT NULL,
  credential_hash bytea NOT NULL UNIQUE CHECK (octet_length(credential_hash) = 32),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  UNIQUE (agent_ca_id, serial_number)
);
CREATE INDEX evidence_agents_client_idx ON evidence_agents (client_id, id);

ALTER TABLE evidence_enrollments ADD CONSTRAINT evidence_enrollments_agent_fk FOREIGN KEY (agent_id) REFERENCES evidence_agents (id);

-- Which enrolled agent sent a submission (null: the partner's API key or token).
ALTER TABLE evidence_submissions ADD COLUMN agent_id text REFERENCES evidence_agents (id);

-- How an ingest credential is authenticated, the only read of agents and partners the ingest
-- gateway needs (migration 0016 grants it EXECUTE and nothing on these tables): the agent, its
-- partner and the partner's rate limit, while the agent is not revoked and the partner is enabled
-- and holds the scope `evidence`.
CREATE FUNCTION evidence_agent_for_credential(credential_hash bytea)
RETURNS TABLE (agent_id text, client_id text, rate_limit_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT a.id, a.client_id, c.rate_limit_per_minute
    FROM evidence_agents a JOIN api_clients c ON c.id = a.client_id
   WHERE a.credential_hash = $1 AND a.revoked_at IS NULL AND c.disabled_at IS NULL AND 'evidence' = ANY (c.scopes)
$$;
REVOKE ALL ON FUNCTION evidence_agent_for_credential(bytea) FROM PUBLIC;
