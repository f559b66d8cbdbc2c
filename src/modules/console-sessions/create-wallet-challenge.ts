import { randomBytes } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { addressFormat, canonicalAddress, type WalletChain } from './wallet-address.ts';
import { signInMessage } from './sign-in-message.ts';

/** How long a challenge may be signed and used: once. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export type WalletChallenge = { nonce: string; message: string; expiresAt: Date };
export type ChallengeResult = { ok: true; value: WalletChallenge } | { ok: false; message: string };

/**
 * A sign-in challenge for a wallet address: a fresh nonce (the primary key of its row) in a message
 * built here, naming the site the browser reached (`domain`: the request's Host, checked again at
 * sign-in). Whether the address is linked to a partner is not said here (nothing to enumerate).
 */
export async function createWalletChallenge(
  deps: { pool: Pool; clock: Clock; siweChainId: number },
  input: { chain: WalletChain; address: string },
  site: { domain: string; uri: string },
): Promise<ChallengeResult> {
  const address = canonicalAddress(input.chain, input.address);
  if (!address) return { ok: false, message: `body.address: must be ${addressFormat(input.chain)}` };
  const nonce = randomBytes(16).toString('hex');
  const issuedAt = deps.clock.now();
  const expiresAt = new Date(issuedAt.getTime() + CHALLENGE_TTL_MS);
  const message = await signInMessage({ chain: input.chain, address, domain: site.domain, uri: site.uri, chainId: deps.siweChainId, nonce, issuedAt, expiresAt });
  if (!message || site.domain.length > 300 || site.uri.length > 400) return { ok: false, message: `the Host header (${site.domain.slice(0, 100)}) cannot be the domain of a sign-in message` };
  await deps.pool.query(
    'INSERT INTO console_wallet_challenges (nonce, chain, address, domain, uri, message, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [nonce, input.chain, address, site.domain, site.uri, message, issuedAt, expiresAt],
  );
  return { ok: true, value: { nonce, message, expiresAt } };
}
