import { authorizationTypes } from '@x402/evm';
import { getAddress, isAddress, isAddressEqual, verifyTypedData, type Hex } from 'viem';
import { z } from 'zod';
import { refuse, type Requirement, type Result, type VerifiedPayment } from './payment.ts';

/** A facilitator refuses an authorization that expires within this: it could not be mined in time. */
export const EVM_EXPIRY_MARGIN_SECONDS = 6;

const address = z.string().refine((value) => isAddress(value, { strict: false }));
const uint = z.string().regex(/^[0-9]{1,78}$/);
const Eip3009PayloadSchema = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  authorization: z.object({ from: address, to: address, value: uint, validAfter: uint, validBefore: uint, nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/) }),
});

/**
 * Offline, as a facilitator's `/verify` does for scheme `exact` on EVM: an EIP-3009
 * `transferWithAuthorization` signed (EIP-712) by `from` for the token's domain (name and version
 * from `extra`, chain from the network, the token as verifying contract), to `payTo`, of at least
 * the amount, valid now. Externally owned accounts only (an EIP-1271 wallet needs the chain).
 */
export async function verifyEvmPayment(payload: unknown, requirement: Requirement, now: Date): Promise<Result<VerifiedPayment>> {
  if (requirement.network.family !== 'evm') return refuse('NETWORK_MISMATCH', 'not an EVM network');
  const parsed = Eip3009PayloadSchema.safeParse(payload);
  if (!parsed.success) return refuse('MALFORMED', 'the payload is not an EIP-3009 authorization with its signature');
  const { authorization, signature } = parsed.data;
  const { name, version } = requirement.extra;
  if (!isAddress(requirement.asset, { strict: false }) || typeof name !== 'string' || typeof version !== 'string') {
    return refuse('MALFORMED', 'the requirements name no EIP-3009 token: asset must be its address, extra its EIP-712 name and version');
  }
  if (!isAddress(requirement.payTo, { strict: false }) || !isAddressEqual(authorization.to as Hex, requirement.payTo as Hex)) {
    return refuse('PAY_TO_MISMATCH', 'the authorization pays someone else');
  }
  const value = BigInt(authorization.value);
  if (value < requirement.amount) return refuse('AMOUNT_TOO_LOW', `the authorization moves ${value}, ${requirement.amount} is required`);
  const seconds = BigInt(Math.floor(now.getTime() / 1000));
  const validAfter = BigInt(authorization.validAfter);
  const validBefore = BigInt(authorization.validBefore);
  if (validAfter > seconds) return refuse('NOT_YET_VALID', 'the authorization is not valid yet (validAfter)');
  if (validBefore < seconds + BigInt(EVM_EXPIRY_MARGIN_SECONDS)) return refuse('EXPIRED', 'the authorization has expired (validBefore)');
  let valid: boolean;
  try {
    valid = await verifyTypedData({
      address: authorization.from as Hex,
      domain: { name, version, chainId: requirement.network.chainId, verifyingContract: getAddress(requirement.asset) },
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: { from: authorization.from as Hex, to: authorization.to as Hex, value, validAfter, validBefore, nonce: authorization.nonce as Hex },
      signature: signature as Hex,
    });
  } catch {
    valid = false;
  }
  if (!valid) return refuse('SIGNATURE_INVALID', 'the signature is not the payer\'s over this authorization and token');
  const toDate = (unix: bigint) => new Date(Number(unix > 8_640_000_000_000n ? 8_640_000_000_000n : unix) * 1000);
  return {
    ok: true,
    value: {
      payer: getAddress(authorization.from), amount: value, nonceScope: `${requirement.asset.toLowerCase()}:${authorization.from.toLowerCase()}`,
      nonce: authorization.nonce.toLowerCase(), validAfter: toDate(validAfter), validBefore: toDate(validBefore),
    },
  };
}
