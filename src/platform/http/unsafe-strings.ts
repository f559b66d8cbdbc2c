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

/** A value still to look at, and how it was reached (its path is spelled only for the one reported). */
type Visit = { value: unknown; depth: number; parent: Visit | undefined; key: string | number; inArray: boolean };

function pathOf(visit: Visit, root: string): string {
  const steps: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) steps.push(at.inArray ? `[${at.key}]` : `.${at.key}`);
  return root + steps.reverse().join('');
}

/** The path of the first unsafe string (or object key) in `value`, walked without recursion. */
export function findUnsafeString(value: unknown, root: string): string | undefined {
  const stack: Visit[] = [{ value, depth: 0, parent: undefined, key: '', inArray: false }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (isUnsafeString(current)) return pathOf(visit, root);
    } else if (current !== null && typeof current === 'object' && visit.depth <= MAX_JSON_DEPTH && !Buffer.isBuffer(current)) {
      if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) stack.push({ value: current[i], depth: visit.depth + 1, parent: visit, key: i, inArray: true });
      } else {
        for (const key of Object.keys(current)) {
          if (isUnsafeString(key)) return pathOf(visit, root);
          stack.push({ value: (current as Record<string, unknown>)[key], depth: visit.depth + 1, parent: visit, key, inArray: false });
        }
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
