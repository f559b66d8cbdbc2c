-- Plans (issue 15 part 1): versioned tiers, one version per edit, effective from the first
-- instant of a UTC calendar month. Prices are integer minor units of BILLING_CURRENCY.
CREATE TABLE plan_versions (
  tier text NOT NULL CHECK (tier IN ('starter', 'pro', 'enterprise')),
  version integer NOT NULL CHECK (version >= 1),
  effective_from timestamptz NOT NULL,
  -- Requests per minute for the partner's key (a client's own rate_limit_per_minute overrides it).
  rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
  -- Minor units per month; null: no cap.
  monthly_spending_cap bigint CHECK (monthly_spending_cap >= 0),
  -- { "<product>": { "included_per_month": n, "unit_price": minor units } } for every product.
  products jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tier, version),
  UNIQUE (tier, effective_from)
);

-- The documented defaults (README, "Plans and usage"), effective since the epoch.
INSERT INTO plan_versions (tier, version, effective_from, rate_limit_per_minute, monthly_spending_cap, products, created_at) VALUES
  ('starter', 1, 'epoch', 60, 10000,
   '{"zk_verification":{"included_per_month":1000,"unit_price":2},"tee_attestation":{"included_per_month":100,"unit_price":10},"evidence_verification":{"included_per_month":100,"unit_price":5},"evidence_certificate":{"included_per_month":100,"unit_price":10},"agent_query":{"included_per_month":1000,"unit_price":1},"x402_settlement":{"included_per_month":0,"unit_price":0}}',
   now()),
  ('pro', 1, 'epoch', 600, 100000,
   '{"zk_verification":{"included_per_month":20000,"unit_price":1},"tee_attestation":{"included_per_month":2000,"unit_price":5},"evidence_verification":{"included_per_month":2000,"unit_price":3},"evidence_certificate":{"included_per_month":2000,"unit_price":5},"agent_query":{"included_per_month":20000,"unit_price":1},"x402_settlement":{"included_per_month":0,"unit_price":0}}',
   now()),
  ('enterprise', 1, 'epoch', 6000, NULL,
   '{"zk_verification":{"included_per_month":500000,"unit_price":1},"tee_attestation":{"included_per_month":50000,"unit_price":2},"evidence_verification":{"included_per_month":50000,"unit_price":1},"evidence_certificate":{"included_per_month":50000,"unit_price":2},"agent_query":{"included_per_month":500000,"unit_price":0},"x402_settlement":{"included_per_month":0,"unit_price":0}}',
   now());

-- A partner's plan over time: the tier from effective_from (a UTC month start, or the instant of a
-- partner's first plan taken "now") until the next row. The version applying to a month is the
-- tier's latest version effective at that month's start.
CREATE TABLE client_plans (
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  effective_from timestamptz NOT NULL,
  tier text NOT NULL CHECK (tier IN ('starter', 'pro', 'enterprise')),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, effective_from)
);

-- The servers' in-memory plan rate limits drop a client when its plan changes (change feed, 0013).
CREATE FUNCTION billing_notify_client_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('veridity_changes', 'client_plans:' || COALESCE(NEW.client_id, OLD.client_id));
  RETURN NULL;
END $$;
CREATE TRIGGER client_plans_changed AFTER INSERT OR UPDATE OR DELETE ON client_plans
  FOR EACH ROW EXECUTE FUNCTION billing_notify_client_plan();

-- A client's rate limit becomes an override: null means its plan's limit, or 120 without a plan.
-- Rows holding the old default (120) had no limit of their own: they follow their plan from now on.
ALTER TABLE api_clients ALTER COLUMN rate_limit_per_minute DROP NOT NULL, ALTER COLUMN rate_limit_per_minute DROP DEFAULT;
UPDATE api_clients SET rate_limit_per_minute = NULL WHERE rate_limit_per_minute = 120;

-- The ingest gateway has no plans: an agent gets its partner's override, else the default. pg_temp
-- stays last in the search path (0016): a session's temporary table must not shadow evidence_agents.
CREATE OR REPLACE FUNCTION evidence_agent_for_credential(credential_hash bytea)
RETURNS TABLE (agent_id text, client_id text, rate_limit_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT a.id, a.client_id, COALESCE(c.rate_limit_per_minute, 120)
    FROM evidence_agents a JOIN api_clients c ON c.id = a.client_id
   WHERE a.credential_hash = $1 AND a.revoked_at IS NULL AND c.disabled_at IS NULL AND 'evidence' = ANY (c.scopes)
$$;

-- Metering (issue 15 part 2): each usage event carries its CloudEvents 1.0 attributes. `event_id`
-- derives from the outcome (`<product>:<outcome id>`), so a retried job never counts twice.
ALTER TABLE usage_events
  ADD COLUMN event_id text,
  ADD COLUMN source text,
  ADD COLUMN product text,
  ADD COLUMN quantity integer NOT NULL DEFAULT 1 CHECK (quantity >= 1),
  -- Set in the transaction that adds the event to usage_records; null: the not-yet-aggregated tail.
  ADD COLUMN aggregated_at timestamptz;
UPDATE usage_events SET
  product = CASE kind WHEN 'zk.verify' THEN 'zk_verification' WHEN 'tee.verify' THEN 'tee_attestation'
                      WHEN 'evidence.verify' THEN 'evidence_verification' WHEN 'certificate.issue' THEN 'evidence_certificate' ELSE kind END,
  source = CASE kind WHEN 'zk.verify' THEN '/zk' WHEN 'tee.verify' THEN '/attestations'
                     WHEN 'evidence.verify' THEN '/evidence' WHEN 'certificate.issue' THEN '/certificates' ELSE '/' END;
-- Older rows are named by their row number: two of them may meter the same outcome.
UPDATE usage_events SET event_id = 'legacy:' || id;
ALTER TABLE usage_events ALTER COLUMN event_id SET NOT NULL, ALTER COLUMN source SET NOT NULL, ALTER COLUMN product SET NOT NULL;
CREATE UNIQUE INDEX usage_events_event_id_key ON usage_events (event_id);
CREATE INDEX usage_events_unaggregated_idx ON usage_events (id) WHERE aggregated_at IS NULL;

-- Hourly counts per client and product (with the outcome and claim type the admin series splits by).
CREATE TABLE usage_records (
  client_id text NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  product text NOT NULL,
  window_start timestamptz NOT NULL CHECK (extract(epoch FROM window_start)::bigint % 3600 = 0),
  outcome text NOT NULL,
  claim_type text NOT NULL DEFAULT '',
  quantity bigint NOT NULL CHECK (quantity >= 0),
  events bigint NOT NULL CHECK (events >= 0),
  PRIMARY KEY (client_id, product, window_start, outcome, claim_type)
);
CREATE INDEX usage_records_window_idx ON usage_records (window_start);
