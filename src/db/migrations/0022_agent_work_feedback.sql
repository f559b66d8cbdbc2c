-- The agent registry's work records, validations and feedback (issue 14 parts 3 and 5). Every
-- row keeps the facts the reputation model weighs (timestamps, whether Veridity verified the
-- evidence, which validator, whether a settlement backs feedback); the model itself is not here.

-- The TEE app an agent declares (`{app_id, compose_hash?}`, dstack): a `tsk_` work record must match it.
ALTER TABLE registry_agents ADD COLUMN tee jsonb CHECK (tee IS NULL OR jsonb_typeof(tee) = 'object');

-- Work records (`wrk_...`): a content-addressed chain per agent. `block` is the record's DAG-JSON
-- bytes and `cid` their CIDv1 (dag-json, sha2-256); each block links the previous record's CID.
-- The chain cannot fork: one record per (agent, seq) and per (agent, prev_cid), the first having none.
CREATE TABLE registry_work (
  id text PRIMARY KEY CHECK (id LIKE 'wrk\_%'),
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  -- The agent's owner partner, who recorded the work and holds the evidence.
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 1),
  cid text NOT NULL UNIQUE,
  prev_cid text,
  block bytea NOT NULL CHECK (octet_length(block) BETWEEN 2 AND 65536),
  -- The evidence Veridity holds: the partner's id of it, its kind, and the ledger entry naming it
  -- (kind and public id: a certificate's public id, the proof's or task's own id).
  evidence_kind text NOT NULL CHECK (evidence_kind IN ('zk_proof', 'tee_task', 'certificate')),
  evidence_id text NOT NULL UNIQUE,
  ledger_kind text NOT NULL,
  ledger_public_id text NOT NULL,
  -- When the evidence was verified (the proof's verification, the task's end, the certificate's issue).
  evidence_verified_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  capability text,
  summary text NOT NULL DEFAULT '' CHECK (char_length(summary) <= 1000),
  performed_at timestamptz,
  recorded_at timestamptz NOT NULL,
  UNIQUE (agent_id, seq),
  CHECK ((seq = 1) = (prev_cid IS NULL))
);
CREATE UNIQUE INDEX registry_work_prev_key ON registry_work (agent_id, prev_cid) NULLS NOT DISTINCT;
CREATE INDEX registry_work_recorded_idx ON registry_work (recorded_at, id);

-- Validations in the ERC-8004 shape: a validator's `response` (0-100) and `tag` on a work record,
-- with the evidence it rests on. Veridity (`validator` 'veridity') validates the evidence it
-- verified (`verified` true); a partner may add third parties' (`verified` false: weak).
CREATE TABLE registry_validations (
  id text PRIMARY KEY CHECK (id LIKE 'val\_%'),
  work_id text NOT NULL REFERENCES registry_work (id) ON DELETE CASCADE,
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  validator text NOT NULL CHECK (char_length(validator) BETWEEN 1 AND 300),
  response smallint NOT NULL CHECK (response BETWEEN 0 AND 100),
  tag text NOT NULL CHECK (char_length(tag) BETWEEN 1 AND 64),
  evidence_ref text NOT NULL CHECK (char_length(evidence_ref) BETWEEN 1 AND 2048),
  verified boolean NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (work_id, validator, tag)
);
CREATE INDEX registry_validations_agent_idx ON registry_validations (agent_id, created_at);

-- Feedback (`fbk_...`) by a partner on an agent: one live feedback per (author, work record), per
-- (author, settlement), and one bare (neither) per (author, agent). `strength` classifies what
-- backs it; `self` marks feedback by the agent's owner or by a partner with an agent of the same
-- controller account (recorded, ignored by the reputation model).
CREATE TABLE registry_feedback (
  id text PRIMARY KEY CHECK (id LIKE 'fbk\_%'),
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  tags text[] NOT NULL DEFAULT '{}',
  comment text NOT NULL DEFAULT '' CHECK (char_length(comment) <= 2000),
  work_id text REFERENCES registry_work (id) ON DELETE CASCADE,
  -- An x402 settlement (`stl_...`, the settlements module's); checked through an injected lookup.
  settlement_id text CHECK (settlement_id LIKE 'stl\_%'),
  strength text NOT NULL CHECK (strength IN ('verified_work', 'settlement', 'bare')),
  self boolean NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  response text CHECK (char_length(response) BETWEEN 1 AND 2000),
  responded_at timestamptz,
  CHECK ((response IS NULL) = (responded_at IS NULL))
);
CREATE UNIQUE INDEX registry_feedback_work_key ON registry_feedback (client_id, work_id) WHERE work_id IS NOT NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX registry_feedback_settlement_key ON registry_feedback (client_id, settlement_id) WHERE settlement_id IS NOT NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX registry_feedback_bare_key ON registry_feedback (client_id, agent_id) WHERE work_id IS NULL AND settlement_id IS NULL AND revoked_at IS NULL;
CREATE INDEX registry_feedback_agent_idx ON registry_feedback (agent_id, id);
CREATE INDEX registry_feedback_created_idx ON registry_feedback (created_at, id);
