/**
 * The closed list of error codes the API answers with, and their HTTP statuses.
 * Every failure body is `{ error, error_code, request_id }` (plus optional details).
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNAUTHORIZED_SCOPE: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  NONCE_REPLAY: 409,
  IDEMPOTENCY_CONFLICT: 409,
  // TEE attestation tasks: cancel a task a worker already took; read the result of an unfinished task.
  TASK_NOT_PENDING: 409,
  TASK_NOT_FINISHED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  // Verification outcomes of a checked proof (the body carries proof_id).
  INVALID_PROOF: 422,
  UNTRUSTED_ISSUER: 422,
  STALE_DATE: 422,
  PARAMS_MISMATCH: 422,
  BINDING_MISMATCH: 422,
  CREDENTIAL_EXPIRED: 422,
  NOT_ELIGIBLE: 422,
  // Refused before checking (no proof row, the nonce stays unused).
  UNKNOWN_CIRCUIT: 422,
  MALFORMED_PROOF: 422,
  INVALID_PARAMS: 422,
  REQUEST_EXPIRED: 422,
  REQUEST_MISMATCH: 422,
  // Operator input.
  ARTIFACT_MISSING: 422,
  INVALID_VERIFICATION_KEY: 422,
  INVALID_COLLATERAL: 422,
  // Evidence trust anchors: a certificate or CRL refused (`reason`: NOT_A_CA, EXPIRED, WEAK_KEY, UNPARSABLE, ...).
  INVALID_TRUST_ANCHOR: 400,
  // Agent enrollment: a CSR refused (`reason`: MALFORMED_CSR, BAD_SIGNATURE, WEAK_KEY, UNSUPPORTED_KEY);
  // an enrollment token unknown, used already or expired (`reason`: UNKNOWN, USED, EXPIRED).
  INVALID_CSR: 400,
  INVALID_ENROLLMENT_TOKEN: 401,
  // Agent registry: a capability outside the controlled vocabulary (the body lists the known ones);
  // an ownership challenge unknown, bound to something else or expired (`reason`: UNKNOWN, MISMATCH, EXPIRED);
  // a signature that is malformed or not the controller's (`reason`: MALFORMED_SIGNATURE, SIGNER_MISMATCH).
  UNKNOWN_CAPABILITY: 400,
  CHALLENGE_INVALID: 422,
  OWNERSHIP_PROOF_INVALID: 422,
  // Agent work records: evidence unknown (or another partner's), not verified (`reason`: FAILED, PENDING, INVALID,
  // NOT_LOGGED), a revoked certificate, a TEE task from another app than the agent declares (`reason`:
  // NO_TEE_DECLARED, NOT_DSTACK, APP_ID, COMPOSE_HASH), evidence already backing a work record; feedback
  // naming a settlement the settlements lookup does not know (for this partner and agent).
  EVIDENCE_UNKNOWN: 422,
  EVIDENCE_NOT_VERIFIED: 422,
  EVIDENCE_REVOKED: 422,
  TEE_APP_MISMATCH: 422,
  EVIDENCE_USED: 409,
  SETTLEMENT_UNKNOWN: 422,
  // x402: a route that charges, called without a partner key and without a valid payment (the body
  // carries the v1 `x402Version` and `accepts`, the `PAYMENT-REQUIRED` header the v2 requirements);
  // a payment refused (`reason`: MALFORMED, SCHEME_UNSUPPORTED, NETWORK_MISMATCH, ASSET_MISMATCH,
  // PAY_TO_MISMATCH, AMOUNT_TOO_LOW, SIGNATURE_INVALID, NOT_YET_VALID, EXPIRED, NONCE_REPLAYED);
  // the facilitator did not settle a verified payment (its nonce is spent; `settlement_id` names the record).
  PAYMENT_REQUIRED: 402,
  PAYMENT_INVALID: 422,
  PAYMENT_SETTLEMENT_FAILED: 502,
  // Console sign-in: a state-changing request authenticated by the console session cookie without
  // the session's X-CSRF-Token. (An unreachable OpenID provider is no error code: the browser is
  // sent to the sign-in page with `sign_in_error=PROVIDER_UNAVAILABLE`.)
  CSRF_TOKEN_INVALID: 403,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  NOT_READY: 503,
  // The database is unreachable (restart, failover): retry after Retry-After.
  DATABASE_UNAVAILABLE: 503,
  // More requests in flight than the process takes at once: retry after Retry-After.
  OVERLOADED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown inside handlers for expected failures; the error handler renders it. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.statusCode = ERROR_CODES[code];
    this.details = details;
  }
}

export type ErrorBody = { error: string; error_code: ErrorCode; request_id: string } & Record<string, unknown>;

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: Record<string, unknown>): ErrorBody {
  return { error: message, error_code: code, request_id: requestId, ...details };
}
