-- The agent registry (issue 14): agents partners register with an ERC-8004-shaped card, their
-- capabilities and a controller (a Solana or EVM account) whose ownership is proved by signing a
-- single-use challenge. Not the enrolled evidence agents (`evidence_agents`, `agt_...`).

CREATE TABLE registry_agents (
  id text PRIMARY KEY CHECK (id LIKE 'agr\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 4000),
  image text,
  -- [{name, endpoint, version?}] as the registration file carries them.
  endpoints jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(endpoints) = 'array'),
  supported_trust text[] NOT NULL DEFAULT '{}',
  -- From the controlled vocabulary (src/modules/agents/capabilities.ts); tags are free.
  capabilities text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  pricing jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pricing) = 'array'),
  -- The controller as a did:pkh (address canonical: EIP-55 checksum, or base58 of the 32-byte key),
  -- and the account itself (20 or 32 bytes) the uniqueness of verified agents is decided on.
  controller_did text NOT NULL,
  controller_namespace text NOT NULL CHECK (controller_namespace IN ('solana', 'eip155')),
  controller_key bytea NOT NULL CHECK (octet_length(controller_key) IN (20, 32)),
  -- Set when the controller signed a challenge for this agent (cleared when the controller changes).
  verified_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deactivated_at timestamptz,
  -- The reputation summary the reputation model maintains (null score: no evidence yet).
  score double precision CHECK (score BETWEEN 0 AND 1),
  confidence double precision NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 1),
  reputation_updated_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')
  ) STORED
);
CREATE INDEX registry_agents_client_idx ON registry_agents (client_id, id);
CREATE INDEX registry_agents_controller_idx ON registry_agents (controller_did) WHERE deactivated_at IS NULL;
-- One live verified agent of a name per controller account (whatever the chain id or spelling).
CREATE UNIQUE INDEX registry_agents_verified_name_key ON registry_agents (controller_namespace, controller_key, lower(name))
  WHERE verified_at IS NOT NULL AND deactivated_at IS NULL;
-- The public query: newest first, or by score (null scores last) then newest; filters by GIN.
CREATE INDEX registry_agents_recent_idx ON registry_agents (id DESC) WHERE deactivated_at IS NULL;
CREATE INDEX registry_agents_score_idx ON registry_agents ((coalesce(score, -1)) DESC, id DESC) WHERE deactivated_at IS NULL;
CREATE INDEX registry_agents_capabilities_idx ON registry_agents USING gin (capabilities) WHERE deactivated_at IS NULL;
CREATE INDEX registry_agents_tags_idx ON registry_agents USING gin (tags) WHERE deactivated_at IS NULL;
CREATE INDEX registry_agents_search_idx ON registry_agents USING gin (search) WHERE deactivated_at IS NULL;

-- Challenges (`agc_...`): the exact message the controller signs, bound to the partner, the
-- controller and (when verifying an existing agent) the agent; expiring.
CREATE TABLE registry_challenges (
  id text PRIMARY KEY CHECK (id LIKE 'agc\_%'),
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  controller_did text NOT NULL,
  agent_id text REFERENCES registry_agents (id) ON DELETE CASCADE,
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX registry_challenges_expiry_idx ON registry_challenges (expires_at);

-- Accepted ownership proofs: a challenge is used once because its id is the primary key here.
CREATE TABLE registry_ownership_proofs (
  challenge_id text PRIMARY KEY REFERENCES registry_challenges (id),
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  controller_did text NOT NULL,
  -- `solana-ed25519` (Ed25519 over the message's UTF-8 bytes) or `eip191` (personal_sign of the EIP-4361 message).
  scheme text NOT NULL CHECK (scheme IN ('solana-ed25519', 'eip191')),
  signature bytea NOT NULL,
  verified_at timestamptz NOT NULL
);
CREATE INDEX registry_ownership_proofs_agent_idx ON registry_ownership_proofs (agent_id, verified_at);
