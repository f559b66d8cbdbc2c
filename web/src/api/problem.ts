/**
 * A failed API call as the console shows it: the API's own message and the request id to quote
 * to the operator (every error body is `{ error, error_code, request_id }`).
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;

  constructor(message: string, details: { status: number; code: string; requestId?: string | undefined }) {
    super(message);
    this.name = 'ApiProblem';
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

function isErrorBody(body: unknown): body is { error: string; error_code: string; request_id?: string } {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' && typeof (body as { error_code?: unknown }).error_code === 'string';
}

/** From a failed response's parsed body (anything: a proxy may answer HTML). */
export function problemFrom(status: number, body: unknown, requestIdHeader?: string | null): ApiProblem {
  if (isErrorBody(body)) return new ApiProblem(body.error, { status, code: body.error_code, requestId: body.request_id ?? requestIdHeader ?? undefined });
  return new ApiProblem(`The server answered ${status} without an error message`, { status, code: 'UNEXPECTED_RESPONSE', requestId: requestIdHeader ?? undefined });
}

export function networkProblem(cause: unknown): ApiProblem {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiProblem(`Could not reach the server (${reason})`, { status: 0, code: 'NETWORK_ERROR' });
}

/**
 * The data of an openapi-fetch call, or an ApiProblem thrown (what TanStack Query expects from a
 * query or mutation function).
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    throw networkProblem(cause);
  }
  if (!result.response.ok) throw problemFrom(result.response.status, result.error, result.response.headers.get('x-request-id'));
  return result.data as T;
}
