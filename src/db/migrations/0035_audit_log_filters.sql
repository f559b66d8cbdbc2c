-- The operator's audit log (GET /api/admin/audit-events) pages newest first by id and filters by
-- partner, action and time. The indexes of 0001 lead with actor_type / target_type, which these
-- filters do not give, so each filter gets its own (audit rows are few writes, many years of reads).

-- A partner's events: `target_id = $1 OR actor_id = $1` (a BitmapOr of the two).
CREATE INDEX audit_logs_target_id_idx ON audit_logs (target_id, id);
CREATE INDEX audit_logs_actor_id_idx ON audit_logs (actor_id, id);

-- An exact action, or a prefix (`action LIKE 'client.%'`): text_pattern_ops serves LIKE prefixes
-- whatever the database's collation, and equality too.
CREATE INDEX audit_logs_action_idx ON audit_logs (action text_pattern_ops, id);

-- A time range (`since`, `until`).
CREATE INDEX audit_logs_at_idx ON audit_logs (at);
