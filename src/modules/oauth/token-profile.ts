import type { KeyPurpose } from '#platform/crypto/platform-keys.ts';

/** The access-token profile (RFC 9068 shape): who issues, for whom, how long, signed with which key. */
export const TOKEN_ISSUER = 'veridity';
export const TOKEN_AUDIENCE = 'veridity-api';
export const ACCESS_TOKEN_TTL_SECONDS = 900;
/** RFC 9068 `typ`: keeps an access token from being accepted where another kind of JWT is expected. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const SIGNING_ALGORITHM = 'EdDSA';
export const OAUTH_KEY_PURPOSE: KeyPurpose = 'oauth';
