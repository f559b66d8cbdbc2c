-- A console session signed in with an API key records which key (migration 0034 gave partners
-- several): disabling that key, or the end of its rotation's grace period, ends exactly the
-- sessions it opened, not the partner's others (src/modules/console-sessions/revoke-api-key-sessions.ts,
-- check-session-credential.ts). OAuth access tokens need no column: they are not stored, and carry
-- the key's id as their `key_id` claim (src/modules/oauth/issue-access-token.ts).
ALTER TABLE console_sessions ADD COLUMN api_key_id text REFERENCES api_keys (id);

-- Sessions opened before this migration: the identity they show is `API key ` and the key's first
-- 11 characters, and the key's stored prefix starts with them. A session is given its key only when
-- exactly one of its partner's keys matches (a prefix is no proof of identity across many keys).
UPDATE console_sessions s
   SET api_key_id = (SELECT k.id FROM api_keys k WHERE k.client_id = s.client_id AND starts_with(k.key_prefix, substr(s.identity, 9)))
 WHERE s.method = 'api_key'
   AND (SELECT count(*) FROM api_keys k WHERE k.client_id = s.client_id AND starts_with(k.key_prefix, substr(s.identity, 9))) = 1;

-- A live key session left without its key was opened with a key the operator replaced before
-- migration 0034 (its client's token generation moved on, so it no longer authenticates anyway):
-- ended now, so that every live key session names its key.
UPDATE console_sessions SET revoked_at = now(), revoked_reason = 'credential_revoked'
 WHERE method = 'api_key' AND api_key_id IS NULL AND revoked_at IS NULL;

-- Only key sessions name a key; a live one always does (ended ones from before may not).
ALTER TABLE console_sessions
  ADD CONSTRAINT console_sessions_api_key_check CHECK (
    CASE WHEN method = 'api_key' THEN api_key_id IS NOT NULL OR revoked_at IS NOT NULL ELSE api_key_id IS NULL END
  );

-- Disabling a key revokes its sessions as `api_key_disabled` (the operator's rotate-key too, for
-- every key it disables): the sessions lists tell it apart from a credential found fallen at use.
ALTER TABLE console_sessions DROP CONSTRAINT console_sessions_revoked_reason_check;
ALTER TABLE console_sessions ADD CONSTRAINT console_sessions_revoked_reason_check CHECK (
  revoked_reason IN ('signed_out', 'revoked', 'refresh_token_reused', 'credential_revoked', 'wallet_unlinked', 'oidc_user_unlinked', 'api_key_disabled')
);

-- The live sessions of a key, found when it is disabled.
CREATE INDEX console_sessions_api_key_idx ON console_sessions (api_key_id) WHERE revoked_at IS NULL;
