import { ERROR_CODES, type ErrorCode } from '#platform/http/errors.ts';

/**
 * RFC 6749 §5.2 error codes this server answers with, and how each maps onto our error contract.
 * The HTTP status follows the RFC (so `invalid_scope` is a 400 carrying `UNAUTHORIZED_SCOPE`).
 */
export const OAUTH_ERRORS = {
  invalid_request: { status: 400, errorCode: 'VALIDATION_FAILED' },
  invalid_client: { status: 401, errorCode: 'UNAUTHORIZED' },
  unsupported_grant_type: { status: 400, errorCode: 'VALIDATION_FAILED' },
  invalid_scope: { status: 400, errorCode: 'UNAUTHORIZED_SCOPE' },
} as const satisfies Record<string, { status: number; errorCode: ErrorCode }>;

export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/** The realm of the `WWW-Authenticate: Basic` challenge sent with every `invalid_client`. */
export const BASIC_CHALLENGE = 'Basic realm="veridity", charset="UTF-8"';

/** Thrown by the token endpoint for expected failures; its error handler renders it. */
export class OAuthError extends Error {
  readonly oauthCode: OAuthErrorCode;
  readonly statusCode: number;
  readonly errorCode: ErrorCode;

  /** `errorCode`/`statusCode` override the mapping for body-parsing failures (415, 413, malformed JSON). */
  constructor(oauthCode: OAuthErrorCode, description: string, override?: { errorCode: ErrorCode }) {
    super(description);
    this.oauthCode = oauthCode;
    this.errorCode = override?.errorCode ?? OAUTH_ERRORS[oauthCode].errorCode;
    this.statusCode = override ? ERROR_CODES[override.errorCode] : OAUTH_ERRORS[oauthCode].status;
  }
}

export type OAuthErrorBody = {
  error: OAuthErrorCode;
  error_description: string;
  error_code: ErrorCode;
  request_id: string;
};

/** RFC 6749 allows only printable ASCII without `"` and `\` in error_description. */
function describe(message: string): string {
  return message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}

export function oauthErrorBody(error: OAuthError, requestId: string): OAuthErrorBody {
  return { error: error.oauthCode, error_description: describe(error.message), error_code: error.errorCode, request_id: requestId };
}
