import { isClaimType, type ClaimType } from './claim-types.ts';
import { parseFieldElement } from './credential-format.ts';
import { fail, type Result } from './result.ts';

/**
 * snarkjs lists public signals as the circuit's outputs first, then its public inputs,
 * each in declaration order. The layout is the same for every claim type (checked
 * against real proofs in the tests):
 */
export const PUBLIC_SIGNAL_NAMES = [
  'result',
  'not_expired',
  'issuer_ax',
  'issuer_ay',
  'current_date',
  'param',
  'binding',
] as const;
export const PUBLIC_SIGNAL_COUNT = PUBLIC_SIGNAL_NAMES.length;

export type PublicSignals = {
  /** 1 iff the claim's predicate holds for `param`. */
  result: bigint;
  /** 1 iff current_date <= the credential's expiry_date. */
  notExpired: bigint;
  issuerAx: bigint;
  issuerAy: bigint;
  /** YYYYMMDD (UTC) the holder proved against. */
  currentDate: bigint;
  param: bigint;
  /** computeBinding(nonce, verifier_domain) of the proof request. */
  binding: bigint;
};

export type PublicSignalsErrorCode = 'UNKNOWN_CLAIM_TYPE' | 'SIGNAL_COUNT_MISMATCH' | 'SIGNAL_NOT_FIELD_ELEMENT';

/**
 * Pure: no I/O. Rejects anything but canonical decimal strings below the BN254 scalar
 * field order. That matters: a Groth16 verifier reducing signals mod r would also
 * accept `x + r` for `x`, so only this canonical form may be trusted or stored.
 */
export function parsePublicSignals(
  claimType: ClaimType,
  signals: readonly unknown[],
): Result<PublicSignals, PublicSignalsErrorCode> {
  if (!isClaimType(claimType)) return fail('UNKNOWN_CLAIM_TYPE', `unknown claim type ${String(claimType)}`);
  if (signals.length !== PUBLIC_SIGNAL_COUNT) {
    return fail('SIGNAL_COUNT_MISMATCH', `${claimType} has ${PUBLIC_SIGNAL_COUNT} public signals, got ${signals.length}`);
  }
  const values: bigint[] = [];
  for (const [index, signal] of signals.entries()) {
    const value = parseFieldElement(signal);
    if (value === undefined) {
      return fail('SIGNAL_NOT_FIELD_ELEMENT', `public signal ${PUBLIC_SIGNAL_NAMES[index]} is not a canonical field element`);
    }
    values.push(value);
  }
  const [result, notExpired, issuerAx, issuerAy, currentDate, param, binding] = values as [
    bigint, bigint, bigint, bigint, bigint, bigint, bigint,
  ];
  return { ok: true, value: { result, notExpired, issuerAx, issuerAy, currentDate, param, binding } };
}
