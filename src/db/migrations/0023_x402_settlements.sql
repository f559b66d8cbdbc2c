-- x402 payments (issue 14 part 4): each verified payment, once. The unique key spends its nonce
-- (EVM: the EIP-3009 authorization nonce of that token and payer; Solana: the hash of the
-- transaction message, scoped by the mint), whatever encoding (v1 or v2) carried it.
-- `verified`: checked offline, not on chain (no facilitator configured); `settled`: a facilitator
-- settled it (`transaction` is the chain's reference); `settle_failed`: the facilitator refused or
-- could not be reached (the nonce stays spent: the same authorization is never accepted twice).

CREATE TABLE x402_settlements (
  id text PRIMARY KEY CHECK (id LIKE 'stl\_%'),
  x402_version smallint NOT NULL CHECK (x402_version IN (1, 2)),
  scheme text NOT NULL,
  -- CAIP-2 (eip155:8453, solana:5eykt4...), also for payments that came as v1.
  network text NOT NULL,
  asset text NOT NULL,
  pay_to text NOT NULL,
  payer text NOT NULL,
  -- Atomic units of the asset: what the payment moves, and what was required.
  amount numeric(78, 0) NOT NULL CHECK (amount >= 0),
  required_amount numeric(78, 0) NOT NULL CHECK (required_amount >= 0),
  nonce_scope text NOT NULL,
  nonce text NOT NULL,
  valid_after timestamptz,
  valid_before timestamptz,
  status text NOT NULL CHECK (status IN ('verified', 'settled', 'settle_failed')),
  transaction text,
  settle_error text,
  -- `agent`: POST /api/v1/x402/settle for a registry agent (and optionally a work record);
  -- `query`: the paid public agent query.
  purpose text NOT NULL CHECK (purpose IN ('agent', 'query')),
  client_id text REFERENCES api_clients (id) ON DELETE SET NULL,
  agent_id text REFERENCES registry_agents (id),
  work_id text,
  resource text,
  verified_at timestamptz NOT NULL,
  settled_at timestamptz,
  CHECK (purpose <> 'agent' OR agent_id IS NOT NULL),
  CHECK ((status = 'settled') = (transaction IS NOT NULL AND settled_at IS NOT NULL))
);
CREATE UNIQUE INDEX x402_settlements_nonce_key ON x402_settlements (network, nonce_scope, nonce);
-- The reputation model reads an agent's settlements in time order.
CREATE INDEX x402_settlements_agent_idx ON x402_settlements (agent_id, verified_at) WHERE agent_id IS NOT NULL;
CREATE INDEX x402_settlements_work_idx ON x402_settlements (work_id) WHERE work_id IS NOT NULL;
