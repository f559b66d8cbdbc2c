import { PaymentPayloadSchema, PaymentRequirementsV1Schema, PaymentRequirementsV2Schema } from '@x402/core/schemas';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { resolveNetwork, type X402Network } from './networks.ts';

/** Why a payment is refused (`PAYMENT_INVALID` with this `reason`): a closed list. */
export const PAYMENT_FAILURES = [
  'MALFORMED', 'SCHEME_UNSUPPORTED', 'NETWORK_MISMATCH', 'ASSET_MISMATCH', 'PAY_TO_MISMATCH', 'AMOUNT_TOO_LOW',
  'SIGNATURE_INVALID', 'NOT_YET_VALID', 'EXPIRED', 'NONCE_REPLAYED',
] as const;
export type PaymentFailure = (typeof PAYMENT_FAILURES)[number];
export type PaymentRefusal = { ok: false; code: 'PAYMENT_INVALID'; reason: PaymentFailure; message: string };
export type Result<T> = { ok: true; value: T } | PaymentRefusal;

export const refuse = (reason: PaymentFailure, message: string): PaymentRefusal => ({ ok: false, code: 'PAYMENT_INVALID', reason, message });

/** A payment as the client sent it: v1 (`X-PAYMENT`) or v2 (`PAYMENT-SIGNATURE`), decoded. */
export type Payment = PaymentPayload & { x402Version: 1 | 2 };

/** What the payment must meet, from a v1 or v2 `PaymentRequirements`, with the amount as an integer. */
export type Requirement = {
  version: 1 | 2;
  scheme: string;
  network: X402Network;
  /** Atomic units of `asset` (v1 `maxAmountRequired`, v2 `amount`). */
  amount: bigint;
  asset: string;
  payTo: string;
  maxTimeoutSeconds: number;
  extra: Record<string, unknown>;
  /** As given: what a facilitator's `/settle` receives. */
  raw: PaymentRequirements;
};

/** What a verified payment proves: who paid how much of what to whom, and the nonce it spends. */
export type VerifiedPayment = {
  payer: string;
  amount: bigint;
  /** EVM: token and authorizer (EIP-3009 nonces are theirs); Solana: the mint. */
  nonceScope: string;
  /** EVM: the authorization nonce; Solana: the hash of the transaction message. */
  nonce: string;
  validAfter: Date | null;
  validBefore: Date | null;
};

/** Bound on a header or field carrying a payment (a Solana transaction is at most 1232 bytes). */
export const MAX_PAYMENT_CHARS = 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Base64 JSON of a payment (the `X-PAYMENT` / `PAYMENT-SIGNATURE` value). Never throws. */
export function decodePayment(encoded: string): Result<Payment> {
  if (encoded.length > MAX_PAYMENT_CHARS || !BASE64.test(encoded)) return refuse('MALFORMED', 'the payment is not base64');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return refuse('MALFORMED', 'the payment is not base64 JSON');
  }
  const parsed = PaymentPayloadSchema.safeParse(json);
  if (!parsed.success) return refuse('MALFORMED', `the payment is not an x402 v1 or v2 payment payload: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  return { ok: true, value: parsed.data as Payment };
}

/** Reads v1 or v2 `PaymentRequirements` (`version` decides which). Never throws. */
export function readRequirement(version: 1 | 2, input: unknown): Result<Requirement> {
  const parsed = version === 1 ? PaymentRequirementsV1Schema.safeParse(input) : PaymentRequirementsV2Schema.safeParse(input);
  if (!parsed.success) return refuse('MALFORMED', `not x402 v${version} payment requirements: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  const raw = parsed.data as PaymentRequirements;
  const amount = 'maxAmountRequired' in parsed.data ? parsed.data.maxAmountRequired : parsed.data.amount;
  if (!/^[0-9]{1,78}$/.test(amount)) return refuse('MALFORMED', 'the required amount is not an integer of atomic units');
  const network = resolveNetwork(parsed.data.network);
  if (!network) return refuse('NETWORK_MISMATCH', `unsupported network ${parsed.data.network}`);
  return {
    ok: true,
    value: {
      version, scheme: parsed.data.scheme, network, amount: BigInt(amount), asset: parsed.data.asset, payTo: parsed.data.payTo,
      maxTimeoutSeconds: parsed.data.maxTimeoutSeconds, extra: (parsed.data.extra ?? {}) as Record<string, unknown>, raw,
    },
  };
}
