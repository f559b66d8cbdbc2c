-- Prepaid balance and spending caps (issue 15 part 3, src/modules/billing).
--
-- The balance is a double-entry ledger, never a stored number: a transaction (deposit, charge,
-- refund, adjustment) has entries on accounts (`partner:<client id>`, `platform:cash`,
-- `platform:revenue`, `platform:adjustments`), debits positive and credits negative, summing to
-- zero (checked at commit by a deferred constraint trigger). A partner's balance is minus the sum of
-- its account's entries. Both tables are append-only.
CREATE TABLE balance_transactions (
  id text PRIMARY KEY CHECK (id LIKE 'btx\_%'),
  client_id text NOT NULL REFERENCES api_clients (id),
  kind text NOT NULL CHECK (kind IN ('deposit', 'charge', 'refund', 'adjustment')),
  -- Charges: the billing period (a UTC month start) and the month-to-date amount charged once this
  -- one is posted. Unique per client and period: a charge task run twice posts once.
  period timestamptz,
  cumulative bigint CHECK (cumulative > 0),
  reference text CHECK (length(reference) <= 200),
  created_at timestamptz NOT NULL,
  CHECK ((kind = 'charge') = (period IS NOT NULL AND cumulative IS NOT NULL))
);
CREATE UNIQUE INDEX balance_transactions_charge_idx ON balance_transactions (client_id, period, cumulative) WHERE kind = 'charge';
CREATE INDEX balance_transactions_client_idx ON balance_transactions (client_id, id DESC);

CREATE TABLE balance_entries (
  transaction_id text NOT NULL REFERENCES balance_transactions (id),
  account text NOT NULL CHECK (account ~ '^(partner:.+|platform:(cash|revenue|adjustments))$'),
  amount bigint NOT NULL CHECK (amount <> 0),
  PRIMARY KEY (transaction_id, account)
);
CREATE INDEX balance_entries_account_idx ON balance_entries (account);

CREATE FUNCTION balance_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total numeric;
  entries integer;
BEGIN
  SELECT COALESCE(sum(amount), 0), count(*) INTO total, entries FROM balance_entries WHERE transaction_id = NEW.transaction_id;
  IF total <> 0 OR entries < 2 THEN
    RAISE EXCEPTION 'balance transaction % does not balance (% over % entries)', NEW.transaction_id, total, entries;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER balance_entries_balanced AFTER INSERT ON balance_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION balance_transaction_balanced();

CREATE FUNCTION balance_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER balance_transactions_append_only BEFORE UPDATE OR DELETE ON balance_transactions
  FOR EACH ROW EXECUTE FUNCTION balance_append_only();
CREATE TRIGGER balance_entries_append_only BEFORE UPDATE OR DELETE ON balance_entries
  FOR EACH ROW EXECUTE FUNCTION balance_append_only();

-- A partner's billing account: how it pays (`invoice`, the default, or `prepaid`) and its cap
-- state as of the last charge or deposit, which the API serves from memory (change feed) to
-- refuse billable calls with 402 and the vault publishes as `over_cap`.
CREATE TABLE billing_accounts (
  client_id text PRIMARY KEY REFERENCES api_clients (id),
  billing_mode text NOT NULL DEFAULT 'invoice' CHECK (billing_mode IN ('prepaid', 'invoice')),
  -- As of the last charge: its period, the month-to-date overage before the cap and the plan's
  -- cap (minor units; null: none); the balance as of the last transaction.
  period timestamptz,
  spend bigint NOT NULL DEFAULT 0,
  cap bigint,
  balance bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);

CREATE FUNCTION billing_notify_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('veridity_changes', 'billing_accounts:' || COALESCE(NEW.client_id, OLD.client_id));
  RETURN NULL;
END $$;
CREATE TRIGGER billing_accounts_changed AFTER INSERT OR UPDATE OR DELETE ON billing_accounts
  FOR EACH ROW EXECUTE FUNCTION billing_notify_account();

-- The soft cap: one `billing.threshold_reached` webhook per threshold (80, 100 % of the cap) and period.
CREATE TABLE billing_thresholds (
  client_id text NOT NULL REFERENCES api_clients (id),
  period timestamptz NOT NULL,
  threshold smallint NOT NULL CHECK (threshold IN (80, 100)),
  reached_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, period, threshold)
);
