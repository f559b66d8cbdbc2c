-- Web console sign-in (issue 16 item 1, src/modules/console-sessions): sessions held in cookies,
-- the wallets and OpenID Connect identities an operator linked to partners, wallet challenges and
-- OIDC logins in flight. Cookie values are never stored: only their SHA-256.

-- Wallet addresses that may sign in as a partner: one partner per address. `address` is canonical
-- (ethereum: 0x + 40 lowercase hex; sui: 0x + 64 lowercase hex), so the unique key holds whatever
-- case or padding an operator typed.
CREATE TABLE console_wallets (
  id text PRIMARY KEY CHECK (id LIKE 'wal\_%'),
  client_id text NOT NULL REFERENCES api_clients (id),
  chain text NOT NULL CHECK (chain IN ('ethereum', 'sui')),
  address text NOT NULL CHECK (address ~ '^0x[0-9a-f]+$' AND length(address) IN (42, 66)),
  created_at timestamptz NOT NULL,
  UNIQUE (chain, address)
);
CREATE INDEX console_wallets_client_idx ON console_wallets (client_id);

-- OpenID Connect identities that sign in as a partner: by subject, or by verified e-mail, at the
-- issuer configured when the link was made (a subject means nothing at another issuer).
CREATE TABLE console_oidc_users (
  id text PRIMARY KEY CHECK (id LIKE 'oiu\_%'),
  client_id text NOT NULL REFERENCES api_clients (id),
  issuer text NOT NULL,
  subject text CHECK (length(subject) BETWEEN 1 AND 255),
  email text CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  created_at timestamptz NOT NULL,
  CHECK (num_nonnulls(subject, email) = 1),
  UNIQUE (issuer, subject),
  UNIQUE (issuer, email)
);
CREATE INDEX console_oidc_users_client_idx ON console_oidc_users (client_id);

-- A session: one sign-in, kept across its access and refresh token rotations. `access_hash` is the
-- SHA-256 of the current `veridity_session` cookie; what signed in is kept to check it on each use
-- (admin_token: the token's SHA-256, so a revoked or replaced token ends the session; api_key: the
-- client's token generation, which key rotation and disabling bump; wallets and OIDC links: their
-- removal revokes the session).
CREATE TABLE console_sessions (
  id text PRIMARY KEY CHECK (id LIKE 'ses\_%'),
  role text NOT NULL CHECK (role IN ('operator', 'partner')),
  client_id text REFERENCES api_clients (id),
  method text NOT NULL CHECK (method IN ('admin_token', 'api_key', 'siwe', 'sui', 'oidc')),
  -- What the session lists show: a token or key prefix, a wallet address, an OIDC e-mail or subject.
  identity text NOT NULL CHECK (length(identity) <= 400),
  admin_token_hash bytea CHECK (octet_length(admin_token_hash) = 32),
  client_token_generation integer,
  wallet_id text REFERENCES console_wallets (id) ON DELETE SET NULL,
  oidc_user_id text REFERENCES console_oidc_users (id) ON DELETE SET NULL,
  oidc_issuer text,
  oidc_subject text,
  -- The identity provider's tokens (id, access, refresh) as JSON, sealed with VERIDITY_ENCRYPTION_KEY.
  idp_tokens_sealed text,
  access_hash bytea NOT NULL UNIQUE CHECK (octet_length(access_hash) = 32),
  access_expires_at timestamptz NOT NULL,
  refresh_expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  user_agent text CHECK (length(user_agent) <= 500),
  ip text CHECK (length(ip) <= 100),
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('signed_out', 'revoked', 'refresh_token_reused', 'credential_revoked', 'wallet_unlinked', 'oidc_user_unlinked')),
  CHECK ((role = 'partner') = (client_id IS NOT NULL)),
  CHECK ((method = 'admin_token') = (admin_token_hash IS NOT NULL)),
  CHECK ((method = 'api_key') = (client_token_generation IS NOT NULL)),
  CHECK ((method = 'oidc') = (oidc_issuer IS NOT NULL AND oidc_subject IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX console_sessions_client_idx ON console_sessions (client_id, last_used_at DESC) WHERE revoked_at IS NULL;
CREATE INDEX console_sessions_operator_idx ON console_sessions (last_used_at DESC) WHERE revoked_at IS NULL AND role = 'operator';
CREATE INDEX console_sessions_wallet_idx ON console_sessions (wallet_id) WHERE wallet_id IS NOT NULL;
CREATE INDEX console_sessions_oidc_user_idx ON console_sessions (oidc_user_id) WHERE oidc_user_id IS NOT NULL;
CREATE INDEX console_sessions_refresh_expiry_idx ON console_sessions (refresh_expires_at);

-- Every refresh token a session was given: the current one (rotated_at null) and those it replaced,
-- kept so that presenting a replaced one again (a stolen copy) is recognised and ends the session.
CREATE TABLE console_refresh_tokens (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  session_id text NOT NULL REFERENCES console_sessions (id) ON DELETE CASCADE,
  issued_at timestamptz NOT NULL,
  rotated_at timestamptz
);
CREATE INDEX console_refresh_tokens_session_idx ON console_refresh_tokens (session_id);
CREATE UNIQUE INDEX console_refresh_tokens_current_idx ON console_refresh_tokens (session_id) WHERE rotated_at IS NULL;

-- A wallet sign-in challenge: the nonce is the primary key (issued once) and is consumed once, by
-- the UPDATE that sets consumed_at where it is null.
CREATE TABLE console_wallet_challenges (
  nonce text PRIMARY KEY CHECK (nonce ~ '^[0-9a-zA-Z]{16,64}$'),
  chain text NOT NULL CHECK (chain IN ('ethereum', 'sui')),
  address text NOT NULL,
  domain text NOT NULL CHECK (length(domain) <= 300),
  uri text NOT NULL CHECK (length(uri) <= 400),
  message text NOT NULL CHECK (length(message) <= 2000),
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);
CREATE INDEX console_wallet_challenges_expiry_idx ON console_wallet_challenges (expires_at);

-- An OIDC sign-in between the redirect to the identity provider and its callback: keyed by the
-- SHA-256 (hex) of a cookie only this browser holds (so a callback carrying someone else's code
-- and state is refused), read once (deleted) by the callback.
CREATE TABLE console_oidc_logins (
  browser_hash text PRIMARY KEY CHECK (browser_hash ~ '^[0-9a-f]{64}$'),
  state text NOT NULL,
  nonce text NOT NULL,
  code_verifier_sealed text NOT NULL,
  return_to text CHECK (length(return_to) <= 500),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_oidc_logins_expiry_idx ON console_oidc_logins (expires_at);
