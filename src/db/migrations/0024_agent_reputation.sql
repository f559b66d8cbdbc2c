-- Agent reputation (issue 14 part 6; the model is docs/reputation.md). Maintained incrementally on
-- every event (work recorded, feedback given or revoked, settlement recorded) and reproducible from
-- the events (`veridity registry recompute-reputation`).

-- What each event contributes, as applied: one row per work record, third-party validation or
-- feedback that carries weight (self and revoked feedback have none). `positive` / `negative` are
-- the weighted evidence at `at`, before decay; a change (a revocation, a settlement upgrading a
-- work record) subtracts the applied row's decayed contribution and adds the new one.
CREATE TABLE registry_reputation_items (
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  -- The event's subject: `wrk_...`, `val_...` or `fbk_...`.
  subject_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('work', 'validation', 'feedback')),
  strength text NOT NULL CHECK (strength IN ('paid_verified', 'paid', 'verified', 'bare')),
  at timestamptz NOT NULL,
  positive double precision NOT NULL CHECK (positive >= 0),
  negative double precision NOT NULL CHECK (negative >= 0),
  PRIMARY KEY (agent_id, subject_id)
);

-- The decayed sums per component ("source/strength": {positive, negative}) as of `ref_at`; read
-- at time t they are multiplied by 2^(-(t - ref_at) / half-life).
CREATE TABLE registry_reputation (
  agent_id text PRIMARY KEY REFERENCES registry_agents (id) ON DELETE CASCADE,
  ref_at timestamptz NOT NULL,
  sums jsonb NOT NULL CHECK (jsonb_typeof(sums) = 'object'),
  -- The half-life the sums were decayed with: another one configured needs a recomputation.
  half_life_days double precision NOT NULL CHECK (half_life_days > 0)
);

-- The day's reputation as of its last event (UTC days): the public history.
CREATE TABLE registry_reputation_daily (
  agent_id text NOT NULL REFERENCES registry_agents (id) ON DELETE CASCADE,
  day date NOT NULL,
  score double precision CHECK (score BETWEEN 0 AND 1),
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  mass double precision NOT NULL CHECK (mass >= 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (agent_id, day)
);
