-- Issuers announced to the servers' caches like partners' keys (migration 0013) and circuits
-- (0014): every batch of verifications asks whether its issuers are trusted, and an operator's
-- disabling (or a change of an issuer's claim types) must reach every process. A new issuer needs
-- no announcement: a key found untrusted is never kept.
CREATE TRIGGER issuers_changed
  AFTER UPDATE OR DELETE ON issuers
  FOR EACH ROW EXECUTE FUNCTION veridity_notify_change();
