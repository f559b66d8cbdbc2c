import { isCalendarDate } from './attributes.ts';
import { computeBinding } from './binding.ts';
import { CLAIM_CIRCUITS, isClaimType, type ClaimType } from './claim-types.ts';
import type { Credential } from './credential-format.ts';
import { fail, type Result } from './result.ts';

/** Names of the circuit's input signals (private first, then public in signal order). */
export const CIRCUIT_INPUT_NAMES = [
  'birth_date',
  'citizenship',
  'education_level',
  'annual_income',
  'expiry_date',
  'holder_secret',
  'signature_r8x',
  'signature_r8y',
  'signature_s',
  'issuer_ax',
  'issuer_ay',
  'current_date',
  'param',
  'binding',
] as const;
export type CircuitInput = Record<(typeof CIRCUIT_INPUT_NAMES)[number], string>;

export type ProofContext = {
  /** UTC date the proof speaks about, YYYYMMDD (see toYyyymmdd). */
  currentDate: number;
  /** Threshold / country code / level from the proof request. */
  param: bigint;
  nonce: string;
  verifierDomain: string;
};

export type WitnessInputErrorCode = 'UNKNOWN_CLAIM_TYPE' | 'PARAM_NOT_ACCEPTED' | 'CURRENT_DATE_INVALID';

/**
 * The input object for snarkjs (`groth16.fullProve(input, wasm, zkey)`). Pure (no I/O,
 * no Node APIs) so it can run on the holder's page. Refuses a `param` the circuit or the
 * verifier would reject. The credential's own validity is not re-checked here; a bad
 * signature surfaces as a witness-generation failure.
 */
export function buildWitnessInput(
  credential: Credential,
  claimType: ClaimType,
  context: ProofContext,
): Result<CircuitInput, WitnessInputErrorCode> {
  if (!isClaimType(claimType)) return fail('UNKNOWN_CLAIM_TYPE', `unknown claim type ${String(claimType)}`);
  const circuit = CLAIM_CIRCUITS[claimType];
  const { param } = context;
  if (param < circuit.paramMin || param > circuit.paramMax) {
    return fail('PARAM_NOT_ACCEPTED', `${claimType} param must be in [${circuit.paramMin}, ${circuit.paramMax}]`);
  }
  if (circuit.requiredParam !== undefined && param !== circuit.requiredParam) {
    return fail('PARAM_NOT_ACCEPTED', `${claimType} param must be ${circuit.requiredParam}`);
  }
  if (!Number.isSafeInteger(context.currentDate) || !isCalendarDate(BigInt(context.currentDate))) {
    return fail('CURRENT_DATE_INVALID', 'currentDate must be a calendar date as YYYYMMDD');
  }
  const { attributes, issuer, signature } = credential;
  return {
    ok: true,
    value: {
      birth_date: attributes.birth_date,
      citizenship: attributes.citizenship,
      education_level: attributes.education_level,
      annual_income: attributes.annual_income,
      expiry_date: attributes.expiry_date,
      holder_secret: attributes.holder_secret,
      signature_r8x: signature.R8x,
      signature_r8y: signature.R8y,
      signature_s: signature.S,
      issuer_ax: issuer.ax,
      issuer_ay: issuer.ay,
      current_date: String(context.currentDate),
      param: param.toString(),
      binding: computeBinding(context.nonce, context.verifierDomain).toString(),
    },
  };
}
