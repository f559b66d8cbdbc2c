import { CompactSign } from 'jose';
import type { KeyPurpose, PlatformKey } from '#platform/crypto/platform-keys.ts';

export const GATEWAY_VAULT_KEY_PURPOSE: KeyPurpose = 'gateway-vault';
export const GATEWAY_VAULT_JWKS_PATH = '/api/v1/gateway-vault/jwks.json';
export const GATEWAY_VAULT_TYPE = 'gateway-vault+jws';

export type VaultPartner = {
  client_id: string;
  /** SHA-256 (hex) of the whole API key as sent in X-Api-Key (UTF-8): the gateway hashes what it receives and compares. */
  api_key_sha256: string;
  /** Every key of the partner that works (a partner may hold several, and a rotated one works on for its grace period), newest first: `api_key_sha256` is the first. */
  api_key_sha256s: string[];
  scopes: string[];
  rate_limit_per_minute: number;
  /** The tier in force; null for a partner without a plan. */
  plan: string | null;
  over_cap: boolean;
};

/** The signed payload. `partners` is sorted by client id; its canonical JSON is what `content_sha256` hashes. */
export type VaultPayload = { version: number; issued_at: string; partners: VaultPartner[] };

/** JWS compact over the payload's JSON: EdDSA, `typ` gateway-vault+jws, `kid` a key of the published JWKS. */
export async function signVault(key: PlatformKey, payload: VaultPayload): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8'))
    .setProtectedHeader({ alg: 'EdDSA', typ: GATEWAY_VAULT_TYPE, kid: key.id })
    .sign(key.privateKey);
}
