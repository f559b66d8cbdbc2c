import { randomBytes } from 'node:crypto';
import { authorizationTypes } from '@x402/evm';
import { privateKeyToAccount } from 'viem/accounts';
import type { Hex } from 'viem';
import { refuse, readRequirement, type Result } from './payment.ts';

export type EvmPaymentOptions = {
  /** The payer's key (0x + 64 hex). */
  privateKey: Hex;
  /** `PaymentRequirements` (v1 or v2, as `version` says): the network, token (`asset`, `extra.name` / `extra.version`), `payTo` and amount. */
  requirements: unknown;
  version: 1 | 2;
  now: Date;
  /** Seconds the authorization stays valid (default the requirements' `maxTimeoutSeconds`). */
  validForSeconds?: number;
  /** Defaults to 32 random bytes. */
  nonce?: Hex;
  /** Another amount than the required one (atomic units). */
  value?: bigint;
};

/**
 * An x402 `exact` payment on an EVM network, as a client wallet makes it: an EIP-3009
 * `transferWithAuthorization` of the required amount to `payTo`, signed (EIP-712) for the token's
 * domain, wrapped as the v1 (`X-PAYMENT`) or v2 (`PAYMENT-SIGNATURE`) payload. `header` is its
 * base64 JSON. Refused requirements (not EVM, no token domain): a `PAYMENT_INVALID` result.
 */
export async function signEvmPayment(options: EvmPaymentOptions): Promise<Result<{ header: string; payload: Record<string, unknown> }>> {
  const requirement = readRequirement(options.version, options.requirements);
  if (!requirement.ok) return requirement;
  const { network, extra, asset, payTo } = requirement.value;
  if (network.family !== 'evm') return refuse('NETWORK_MISMATCH', `${network.caip2} is not an EVM network`);
  if (typeof extra.name !== 'string' || typeof extra.version !== 'string') return refuse('MALFORMED', 'the requirements name no EIP-3009 token domain (extra.name, extra.version)');
  const account = privateKeyToAccount(options.privateKey);
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  const authorization = {
    from: account.address, to: payTo as Hex, value: options.value ?? requirement.value.amount,
    validAfter: BigInt(nowSeconds - 60), validBefore: BigInt(nowSeconds + (options.validForSeconds ?? requirement.value.maxTimeoutSeconds)),
    nonce: options.nonce ?? (`0x${randomBytes(32).toString('hex')}` as Hex),
  };
  const signature = await account.signTypedData({
    domain: { name: extra.name, version: extra.version, chainId: network.chainId, verifyingContract: asset as Hex },
    types: authorizationTypes, primaryType: 'TransferWithAuthorization', message: authorization,
  });
  const inner = {
    signature,
    authorization: { ...authorization, value: authorization.value.toString(), validAfter: authorization.validAfter.toString(), validBefore: authorization.validBefore.toString() },
  };
  const payload = options.version === 1
    ? { x402Version: 1, scheme: 'exact', network: network.v1Name ?? network.caip2, payload: inner }
    : { x402Version: 2, accepted: options.requirements, payload: inner };
  return { ok: true, value: { header: Buffer.from(JSON.stringify(payload)).toString('base64'), payload } };
}
