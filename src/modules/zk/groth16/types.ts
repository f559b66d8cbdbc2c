import type { G1Affine, G2Affine } from './bn254.ts';

/** Every expected way a Groth16 input can be rejected (never thrown). */
export const GROTH16_ERROR_CODES = [
  /** Verification key JSON has the wrong shape, protocol, curve or IC length. */
  'MALFORMED_KEY',
  /** Proof JSON has the wrong shape, protocol or curve. */
  'MALFORMED_PROOF',
  /** Public signals are not an array. */
  'MALFORMED_SIGNALS',
  /** A coordinate is not a canonical decimal string below the field modulus p. */
  'COORDINATE_NOT_CANONICAL',
  'POINT_NOT_ON_CURVE',
  /** A G2 point on the twist curve but outside the order-r subgroup. */
  'POINT_NOT_IN_SUBGROUP',
  /** The point at infinity where a proper point is required. */
  'POINT_AT_INFINITY',
  /** A public signal that is not a canonical decimal string below r. */
  'SIGNAL_NOT_CANONICAL',
  /** The number of public signals differs from the key's nPublic. */
  'WRONG_SIGNAL_COUNT',
  /** The pool has no key registered under this id. */
  'UNKNOWN_KEY',
] as const;

export type Groth16ErrorCode = (typeof GROTH16_ERROR_CODES)[number];

export type Groth16Failure = { ok: false; code: Groth16ErrorCode; message: string };

export type Groth16Result<T> = { ok: true; value: T } | Groth16Failure;

/** `valid: false` is a well-formed proof that does not verify; malformed input is a code. */
export type VerifyResult = { ok: true; valid: boolean } | Groth16Failure;

export function groth16Failure(code: Groth16ErrorCode, message: string): Groth16Failure {
  return { ok: false, code, message };
}

/** Marks values that only the parsers in this folder produce, so the mcl layer can trust them. */
declare const parsedBrand: unique symbol;
type Parsed<T> = T & { readonly [parsedBrand]: true };

/** An IC point may be the identity (a public input whose column is all zero). */
export type G1AffineOrInfinity = G1Affine | 'infinity';

export type ParsedVerificationKey = Parsed<{
  readonly nPublic: number;
  readonly alpha: G1Affine;
  readonly beta: G2Affine;
  readonly gamma: G2Affine;
  readonly delta: G2Affine;
  /** nPublic + 1 points: IC[0] + sum(signal_i * IC[i + 1]). */
  readonly ic: readonly G1AffineOrInfinity[];
}>;

/** Coordinates are reduced and on the curve; G2 subgroup membership is checked by the verifier. */
export type ParsedProof = Parsed<{
  readonly a: G1Affine;
  readonly b: G2Affine;
  readonly c: G1Affine;
}>;

/** Canonical field elements, each < r, as many as the key's nPublic. */
export type ParsedPublicSignals = Parsed<readonly bigint[]>;

/** One proof with its public signals, already parsed. */
export type ParsedStatement = { readonly proof: ParsedProof; readonly publicSignals: ParsedPublicSignals };

/** The only way the parsers attach the brand; callers must validate first. */
export function markParsed<T>(value: T): Parsed<T> {
  return value as Parsed<T>;
}
