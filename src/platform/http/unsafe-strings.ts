import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';
import { MAX_JSON_DEPTH } from './bounded-json.ts';

/**
 * U+0000 (PostgreSQL text cannot hold it) or an unpaired surrogate (not encodable as UTF-8):
 * neither has a meaning in any field of this API, and both break storage and hashing downstream.
 */
export function isUnsafeString(value: string): boolean {
  return value.includes('\u0000') || !value.isWellFormed();
}

/** The path of the first unsafe string (or object key) in `value`, walked without recursion. */
export function findUnsafeString(value: unknown, root: string): string | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (isUnsafeString(current)) return path;
    } else if (current !== null && typeof current === 'object' && depth <= MAX_JSON_DEPTH && !Buffer.isBuffer(current)) {
      for (const [key, child] of Object.entries(current)) {
        if (isUnsafeString(key)) return path;
        stack.push({ value: child, path: Array.isArray(current) ? `${path}[${key}]` : `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * A `preValidation` hook (after authentication and parsing, before the schemas): refuses NUL and
 * lone surrogates anywhere in path parameters, query string and body with a 400 naming the field.
 */
export async function refuseUnsafeStrings(request: FastifyRequest): Promise<void> {
  const field =
    findUnsafeString(request.params, 'params') ?? findUnsafeString(request.query, 'querystring') ?? findUnsafeString(request.body, 'body');
  if (field) {
    throw new ApiError('VALIDATION_FAILED', `${field}: must not contain NUL characters or unpaired surrogates`, { fields: [field] });
  }
}
