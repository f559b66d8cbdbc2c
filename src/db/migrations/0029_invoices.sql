-- Invoices (issue 15 part 4): one per partner with a plan and UTC month. `draft` while the month
-- is open (a running estimate, recomputed on read), `finalized` once the month has closed and its
-- usage is aggregated (the global manager's `finalize-invoices`); a finalized invoice and its
-- lines never change again (the triggers below). Amounts are integer minor units of `currency`.
CREATE TABLE invoices (
  id text PRIMARY KEY CHECK (id LIKE 'inv\_%'),
  client_id text NOT NULL REFERENCES api_clients (id),
  -- The partner's name when the invoice was last computed (kept as printed once finalized).
  client_name text NOT NULL,
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL CHECK (period_end > period_start),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  tier text NOT NULL,
  plan_version integer NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'finalized')),
  -- `<currency>-<year of the period>-<6 digits>`, without gaps per currency and year (invoice_number_counters).
  number text UNIQUE,
  subtotal bigint NOT NULL CHECK (subtotal >= 0),
  deposits_applied bigint NOT NULL CHECK (deposits_applied >= 0 AND deposits_applied <= subtotal),
  total bigint NOT NULL CHECK (total = subtotal - deposits_applied),
  computed_at timestamptz NOT NULL,
  finalized_at timestamptz,
  UNIQUE (client_id, period_start),
  CHECK ((status = 'finalized') = (number IS NOT NULL AND finalized_at IS NOT NULL))
);
CREATE INDEX invoices_period_idx ON invoices (period_start, status);

-- One line per product with usage in the period: `overage` = quantity beyond `included`, `amount` = overage x unit_price.
CREATE TABLE invoice_lines (
  invoice_id text NOT NULL REFERENCES invoices (id),
  product text NOT NULL,
  quantity bigint NOT NULL CHECK (quantity >= 0),
  included bigint NOT NULL CHECK (included >= 0),
  overage bigint NOT NULL CHECK (overage = quantity - included AND overage >= 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  amount bigint NOT NULL CHECK (amount = overage * unit_price),
  PRIMARY KEY (invoice_id, product)
);

-- The last number given per currency and year: the row is locked FOR UPDATE by the finalizing
-- transaction, so a number is taken only when the invoice commits with it (a sequence has gaps).
CREATE TABLE invoice_number_counters (
  currency text NOT NULL,
  year integer NOT NULL,
  last_number integer NOT NULL CHECK (last_number >= 0),
  PRIMARY KEY (currency, year)
);

CREATE FUNCTION billing_refuse_finalized_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'finalized' THEN
    RAISE EXCEPTION 'invoice % is finalized: it cannot be changed or deleted', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER invoices_finalized_immutable BEFORE UPDATE OR DELETE ON invoices
  FOR EACH ROW EXECUTE FUNCTION billing_refuse_finalized_invoice_change();

CREATE FUNCTION billing_refuse_finalized_invoice_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  invoice text := CASE TG_OP WHEN 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM invoices WHERE id = invoice AND status = 'finalized')
     OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM invoices WHERE id = NEW.invoice_id AND status = 'finalized')) THEN
    RAISE EXCEPTION 'invoice % is finalized: its lines cannot be changed', invoice USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER invoice_lines_finalized_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
  FOR EACH ROW EXECUTE FUNCTION billing_refuse_finalized_invoice_line_change();
