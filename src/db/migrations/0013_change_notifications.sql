-- Row changes announced to the servers' caches (src/platform/db/change-feed.ts): NOTIFY
-- veridity_changes '<table>:<id>' when a row a cache may hold changes, from any process (the
-- API, an operator command, a replica). Delivered at commit; nothing is sent for a rollback.
CREATE FUNCTION veridity_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('veridity_changes', TG_TABLE_NAME || ':' || OLD.id);
  RETURN NULL;
END $$;

-- What authenticating a partner reads (the key's hash, scopes, rate limit, token generation,
-- disabling, name); last_used is left out: it changes all the time and no cache serves it.
CREATE TRIGGER api_clients_changed
  AFTER UPDATE OF key_hash, name, scopes, rate_limit_per_minute, token_generation, disabled_at OR DELETE ON api_clients
  FOR EACH ROW EXECUTE FUNCTION veridity_notify_change();
