import type { Clock } from '#platform/clock.ts';
import type { Queryable } from './session-row.ts';
import { nonceOf } from './sign-in-message.ts';
import { canonicalAddress, type WalletChain } from './wallet-address.ts';

export type WalletSignInRequest = { method: 'siwe'; message: string; signature: string } | { method: 'sui'; address: string; message: string; signature: string };

export type WalletSignInFailure =
  | 'MALFORMED_MESSAGE'
  | 'NONCE_UNKNOWN'
  | 'NONCE_USED'
  | 'EXPIRED'
  | 'DOMAIN_MISMATCH'
  | 'ADDRESS_MISMATCH'
  | 'MESSAGE_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'WALLET_NOT_LINKED';

/** A signature checked against an unused, unexpired challenge for this site, by a wallet linked to a partner. */
export type VerifiedWallet = { nonce: string; chain: WalletChain; address: string; walletId: string; clientId: string };

export type WalletSignInResult = { ok: true; value: VerifiedWallet } | { ok: false; reason: WalletSignInFailure; message: string };

type Challenge = { chain: WalletChain; address: string; domain: string; uri: string; message: string; expiresAt: Date; consumedAt: Date | null };

const fail = (reason: WalletSignInFailure, message: string): WalletSignInResult => ({ ok: false, reason, message });

const EVM_SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

/** EIP-4361 with an externally owned account's EIP-191 signature (contract wallets would need a chain). Never throws. */
async function checkSiwe(challenge: Challenge, request: { message: string; signature: string }, context: { domain: string; chainId: number; now: Date }): Promise<WalletSignInResult | undefined> {
  // Loaded on first use: viem is ~450 modules, a fifth of a server's start-up.
  const [{ getAddress, verifyMessage }, { parseSiweMessage, validateSiweMessage }] = await Promise.all([import('viem'), import('viem/siwe')]);
  const parsed = parseSiweMessage(request.message);
  if (!parsed.address || !parsed.domain || !parsed.uri || parsed.chainId === undefined) return fail('MALFORMED_MESSAGE', 'not an EIP-4361 message');
  if (parsed.domain !== context.domain) return fail('DOMAIN_MISMATCH', `the message is for ${parsed.domain.slice(0, 100)}, not for ${context.domain}`);
  if (canonicalAddress('ethereum', parsed.address) !== challenge.address) return fail('ADDRESS_MISMATCH', 'the message names another address than the challenge');
  if (parsed.uri !== challenge.uri || parsed.chainId !== context.chainId) return fail('MESSAGE_MISMATCH', 'the message names another URI or chain id than the challenge');
  const address = getAddress(challenge.address);
  if (!validateSiweMessage({ message: parsed, address, domain: context.domain, nonce: parsed.nonce!, time: context.now })) {
    return fail('EXPIRED', 'the message is expired or not yet valid');
  }
  if (!EVM_SIGNATURE.test(request.signature)) return fail('SIGNATURE_INVALID', 'an ethereum signature is 0x and 130 hex digits (65 bytes, EIP-191 personal_sign)');
  const valid = await verifyMessage({ address, message: request.message, signature: request.signature as `0x${string}` }).catch(() => false);
  return valid ? undefined : fail('SIGNATURE_INVALID', `the signature is not ${address}'s over this message`);
}

/** A Sui personal-message signature (any of Sui's key schemes; zkLogin and passkey signatures would need a network) over the challenge's very message. */
async function checkSui(challenge: Challenge, request: { address: string; message: string; signature: string }): Promise<WalletSignInResult | undefined> {
  if (canonicalAddress('sui', request.address) !== challenge.address) return fail('ADDRESS_MISMATCH', 'the address is not the one the challenge was made for');
  if (request.message !== challenge.message) return fail('MESSAGE_MISMATCH', 'the message is not the challenge\'s message');
  try {
    // Loaded here: @mysten/sui's verifier brings zkLogin's Poseidon tables (~5 % of a server's start-up).
    const { verifyPersonalMessageSignature } = await import('@mysten/sui/verify');
    await verifyPersonalMessageSignature(new TextEncoder().encode(request.message), request.signature, { address: challenge.address });
    return undefined;
  } catch {
    return fail('SIGNATURE_INVALID', `the signature is not ${challenge.address}'s over this message`);
  }
}

/**
 * Checks a wallet sign-in against its challenge, found by the nonce the message names: not used,
 * not expired, made at this site (the request's Host now and when it was made), for this address,
 * and signed by it; then that an operator linked the address to a partner. The challenge is not
 * consumed here: the caller does, once, with the session it opens.
 */
export async function verifyWalletSignIn(deps: { clock: Clock; siweChainId: number }, db: Queryable, request: WalletSignInRequest, domain: string): Promise<WalletSignInResult> {
  const nonce = nonceOf(request.message);
  if (!nonce) return fail('MALFORMED_MESSAGE', 'the message names no nonce');
  const chain: WalletChain = request.method === 'siwe' ? 'ethereum' : 'sui';
  const { rows } = await db.query<Challenge>(
    `SELECT chain, address, domain, uri, message, expires_at AS "expiresAt", consumed_at AS "consumedAt"
       FROM console_wallet_challenges WHERE nonce = $1 AND chain = $2`,
    [nonce, chain],
  );
  const challenge = rows[0];
  if (!challenge) return fail('NONCE_UNKNOWN', 'no challenge has this nonce: ask for one (POST /api/console/wallet/challenges)');
  if (challenge.consumedAt) return fail('NONCE_USED', 'this challenge was used already: ask for a new one');
  const now = deps.clock.now();
  if (challenge.expiresAt <= now) return fail('EXPIRED', 'the challenge has expired: ask for a new one');
  if (challenge.domain !== domain) return fail('DOMAIN_MISMATCH', `the challenge was made for ${challenge.domain}, not for ${domain}`);
  const refused = request.method === 'siwe'
    ? await checkSiwe(challenge, request, { domain, chainId: deps.siweChainId, now })
    : await checkSui(challenge, request);
  if (refused) return refused;
  const wallets = await db.query<{ id: string; clientId: string }>('SELECT id, client_id AS "clientId" FROM console_wallets WHERE chain = $1 AND address = $2', [chain, challenge.address]);
  const wallet = wallets.rows[0];
  if (!wallet) return fail('WALLET_NOT_LINKED', 'this wallet is not linked to a partner: ask the operator to link it');
  return { ok: true, value: { nonce, chain, address: challenge.address, walletId: wallet.id, clientId: wallet.clientId } };
}

/** Marks the challenge used, once: false when another sign-in used it first. */
export async function consumeChallenge(deps: { clock: Clock }, db: Queryable, nonce: string): Promise<boolean> {
  const now = deps.clock.now();
  const { rowCount } = await db.query('UPDATE console_wallet_challenges SET consumed_at = $2 WHERE nonce = $1 AND consumed_at IS NULL AND expires_at > $2', [nonce, now]);
  return (rowCount ?? 0) > 0;
}
