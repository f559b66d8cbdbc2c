import { z } from 'zod';
import type { IdPrefix } from '#platform/ids.ts';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
import { EXAMPLE } from './openapi-examples.ts';

export const ErrorSchema = z
  .object({
    error: z.string().describe('Human-readable explanation'),
    error_code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string().describe('Echoes the X-Request-Id response header'),
  })
  .loose()
  .meta({
    id: 'Error',
    description: 'Every failure. Validation failures add `fields` (the failing locations); some codes add details such as `proof_id` or `retry_after_seconds`.',
    examples: [{ error: `no client ${EXAMPLE.clientId}`, error_code: 'NOT_FOUND', request_id: EXAMPLE.requestId }],
  });

/** A documented response: fastify serializes `content[type].schema`; the OpenAPI document shows `description`. */
export type DescribedResponse<Schema extends z.ZodType = z.ZodType> = {
  description: string;
  content: Record<string, { schema: Schema }>;
};

export function jsonResponse<Schema extends z.ZodType>(description: string, schema: Schema): { description: string; content: { 'application/json': { schema: Schema } } } {
  return { description, content: { 'application/json': { schema } } };
}

/** A plain-text body the handler sends itself (fastify does not serialize strings). */
export function textResponse(description: string, mediaType = 'text/plain'): DescribedResponse<z.ZodString> {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}

/** What each error status means wherever it appears; a route passes its own wording when it knows more. */
const ERROR_STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (`VALIDATION_FAILED` with `fields`, or `MALFORMED_JSON`)',
  401: 'Missing, unknown, expired or revoked credentials (`UNAUTHORIZED`)',
  402: 'Payment required (`PAYMENT_REQUIRED`): pay with x402 (`accepts` in the body, `PAYMENT-REQUIRED` header) or call with a partner key',
  403: 'The credentials lack the scope this operation needs (`UNAUTHORIZED_SCOPE`)',
  404: 'No such resource, or it belongs to another partner (`NOT_FOUND`)',
  409: 'The resource is not in a state that allows this (`CONFLICT` or a more specific code)',
  413: 'The body is larger than this operation accepts (`PAYLOAD_TOO_LARGE`)',
  415: 'The body is not of a media type this operation accepts (`UNSUPPORTED_MEDIA_TYPE`)',
  422: 'The request is well-formed but cannot be processed (see `error_code`)',
  429: 'Rate limit exceeded (`RATE_LIMITED`): retry after `Retry-After` seconds',
  502: 'An upstream service failed (`PAYMENT_SETTLEMENT_FAILED`: the x402 facilitator did not settle)',
  500: 'Unexpected failure (`INTERNAL_ERROR`); `request_id` identifies it in the logs',
  503: 'Temporarily unavailable (`DATABASE_UNAVAILABLE`, `OVERLOADED` or `NOT_READY`): retry after `Retry-After`',
};

export function errorStatusDescription(status: number): string {
  return ERROR_STATUS_DESCRIPTIONS[status] ?? `Error (HTTP ${status})`;
}

/** One error response with the standard error body; `description` overrides the status's usual wording. */
export function errorResponse(status: number, description = errorStatusDescription(status)) {
  return jsonResponse(description, ErrorSchema);
}

/** Error responses to declare on a route, keyed by status, each with its usual description. */
export function errorResponses(...statuses: number[]): Record<number, ReturnType<typeof errorResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse(status)]));
}

/** A type-prefixed id path parameter (`prf_...`), checked before any lookup. */
export function IdParam(...prefixes: [IdPrefix, ...IdPrefix[]]) {
  const pattern = new RegExp(`^(${prefixes.join('|')})_[0-7][0-9a-hjkmnp-tv-z]{25}$`);
  return z.string().regex(pattern, `must be an id (${prefixes.map((prefix) => `${prefix}_...`).join(' or ')})`);
}

/** An http(s) URL without credentials (webhook receivers, agent endpoints). */
export const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  // zod runs refinements even after the URL check failed: URL.parse (null when invalid) never throws.
  .refine((value) => {
    const url = URL.parse(value);
    return url === null || (!url.username && !url.password);
  }, 'must not contain credentials');
