import { z } from 'zod';
import type { IdPrefix } from '#platform/ids.ts';
import { ERROR_CODES, type ErrorCode } from './errors.ts';

export const ErrorSchema = z
  .object({
    error: z.string().describe('Human-readable explanation'),
    error_code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string().describe('Echoes the X-Request-Id response header'),
  })
  .loose()
  .meta({ id: 'Error' });

/** Error responses to declare on a route, keyed by status. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorSchema]));
}

/** A type-prefixed id path parameter (`prf_...`), checked before any lookup. */
export function IdParam(...prefixes: [IdPrefix, ...IdPrefix[]]) {
  const pattern = new RegExp(`^(${prefixes.join('|')})_[0-7][0-9a-hjkmnp-tv-z]{25}$`);
  return z.string().regex(pattern, `must be an id (${prefixes.map((prefix) => `${prefix}_...`).join(' or ')})`);
}
