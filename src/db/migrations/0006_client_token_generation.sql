-- Access tokens carry the token generation of their client; rotating the API key or disabling the
-- client bumps it, so every token issued before stops verifying at once (an `iat` cut-off could not
-- tell apart tokens issued in the same second as the rotation, before and after it).
ALTER TABLE api_clients ADD COLUMN token_generation integer NOT NULL DEFAULT 0 CHECK (token_generation >= 0);
