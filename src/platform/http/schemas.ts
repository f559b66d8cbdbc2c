import { z } from 'zod';
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
