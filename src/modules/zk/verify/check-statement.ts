import type { PublicSignals } from '../credentials/public-signals.ts';

/** Why a proof that passed the Groth16 check is still not accepted (each a 422 carrying proof_id). */
export type StatementFailureCode =
  | 'UNTRUSTED_ISSUER'
  | 'STALE_DATE'
  | 'PARAMS_MISMATCH'
  | 'BINDING_MISMATCH'
  | 'CREDENTIAL_EXPIRED'
  | 'NOT_ELIGIBLE';

export type StatementCheck = { ok: true } | { ok: false; code: StatementFailureCode; message: string };

function yyyymmdd(date: Date): bigint {
  return BigInt(date.getUTCFullYear() * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate());
}

/** The proof's date must be the server's UTC date, give or take one day (time zones, midnight). */
export function acceptableDates(now: Date): bigint[] {
  const day = 24 * 60 * 60 * 1000;
  return [-1, 0, 1].map((offset) => yyyymmdd(new Date(now.getTime() + offset * day)));
}

/**
 * The semantic checks a careful verifier makes after the pairing check, in order: the issuer
 * is trusted for the claim, the date is today's, the parameter is the one asked for, the proof
 * is bound to this request's nonce and domain, the credential is unexpired, the claim holds.
 */
export function checkStatement(input: {
  signals: PublicSignals;
  issuerTrusted: boolean;
  now: Date;
  expectedParam: bigint;
  expectedBinding: bigint;
}): StatementCheck {
  const { signals } = input;
  if (!input.issuerTrusted) return { ok: false, code: 'UNTRUSTED_ISSUER', message: 'the credential issuer is not trusted for this claim type' };
  if (!acceptableDates(input.now).includes(signals.currentDate)) {
    return { ok: false, code: 'STALE_DATE', message: `the proof is for date ${signals.currentDate}, not today (UTC, ±1 day)` };
  }
  if (signals.param !== input.expectedParam) {
    return { ok: false, code: 'PARAMS_MISMATCH', message: `the proof is for parameter ${signals.param}, expected ${input.expectedParam}` };
  }
  if (signals.binding !== input.expectedBinding) {
    return { ok: false, code: 'BINDING_MISMATCH', message: 'the proof is bound to another nonce or verifier domain' };
  }
  if (signals.notExpired !== 1n) return { ok: false, code: 'CREDENTIAL_EXPIRED', message: 'the credential had expired at the proof date' };
  if (signals.result !== 1n) return { ok: false, code: 'NOT_ELIGIBLE', message: 'the claim does not hold for this credential' };
  return { ok: true };
}
