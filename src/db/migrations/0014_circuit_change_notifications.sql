-- Circuit versions announced to the servers' caches like partners' keys (migration 0013): every
-- verification looks its circuit up, and an operator's enable/disable must reach every process.
CREATE TRIGGER circuit_versions_changed
  AFTER UPDATE OR DELETE ON circuit_versions
  FOR EACH ROW EXECUTE FUNCTION veridity_notify_change();
