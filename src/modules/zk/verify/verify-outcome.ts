import type { StatementFailureCode } from './check-statement.ts';

/** Refused before any proof row exists: the nonce is not consumed. */
export type RejectionCode = 'UNKNOWN_CIRCUIT' | 'MALFORMED_PROOF' | 'INVALID_PARAMS' | 'REQUEST_EXPIRED' | 'REQUEST_MISMATCH' | 'NONCE_REPLAY';

export type VerifyOutcome =
  | { kind: 'verified'; proofId: string; ts: string }
  | { kind: 'failed'; proofId: string; ts: string; code: 'INVALID_PROOF' | StatementFailureCode; message: string }
  | { kind: 'rejected'; code: RejectionCode; message: string; detail?: string };

export const reject = (code: RejectionCode, message: string, detail?: string): VerifyOutcome => ({ kind: 'rejected', code, message, ...(detail ? { detail } : {}) });
