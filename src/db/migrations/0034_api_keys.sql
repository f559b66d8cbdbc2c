-- Several named API keys per partner (issue 16: the console's API keys page): a partner creates,
-- rotates (the old key working on for a grace period) and disables its own keys, as with Stripe or
-- Unkey. Only the SHA-256 of a key is stored; `key_prefix` is what people see to tell keys apart.
CREATE TABLE api_keys (
  id text PRIMARY KEY CHECK (id LIKE 'key\_%'),
  client_id text NOT NULL REFERENCES api_clients (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  key_hash bytea NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL,
  -- Refreshed at most once a minute (src/modules/clients/last-used-tracker.ts).
  last_used_at timestamptz,
  -- Set by a rotation: the replaced key keeps working until then (its grace period).
  expires_at timestamptz,
  disabled_at timestamptz
);
-- A partner's keys, newest first (the list, and the key prefix shown for a partner).
CREATE INDEX api_keys_client_idx ON api_keys (client_id, created_at DESC);

-- Every partner's one key moves here, unchanged (same hash: it keeps working), named 'Default'.
-- Its id reuses the partner id's 26 characters: deterministic, and time-ordered like a new one.
INSERT INTO api_keys (id, client_id, name, key_hash, key_prefix, created_at, last_used_at)
SELECT 'key_' || substr(id, 5), id, 'Default', key_hash, key_prefix, created_at, last_used
  FROM api_clients;

-- api_keys is now the only place a key is looked up: a copy left on api_clients would go stale
-- with the first rotation and could be read by mistake, so the columns go. The change trigger of
-- migration 0013 names key_hash in its column list, so it is made again without it.
DROP TRIGGER api_clients_changed ON api_clients;
ALTER TABLE api_clients DROP COLUMN key_hash, DROP COLUMN key_prefix;
CREATE TRIGGER api_clients_changed
  AFTER UPDATE OF name, scopes, rate_limit_per_minute, token_generation, disabled_at OR DELETE ON api_clients
  FOR EACH ROW EXECUTE FUNCTION veridity_notify_change();

-- The partners' authentication cache holds lookups by key hash under the partner's row
-- (src/modules/clients/client-auth-cache.ts): a key disabled, rotated or expiring is announced as
-- a change of its partner, so every server drops that partner's cached lookups. last_used_at is
-- left out: it changes all the time and no cache serves it. A new key needs no announcement: a
-- hash that was not found is never cached.
CREATE FUNCTION veridity_notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('veridity_changes', 'api_clients:' || OLD.client_id);
  RETURN NULL;
END $$;
CREATE TRIGGER api_keys_changed
  AFTER UPDATE OF client_id, key_hash, expires_at, disabled_at OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION veridity_notify_api_key_change();

-- The ingest gateway's role (migration 0016) gets nothing here: it authenticates agents, never
-- partners' keys.
