import { OAuthError } from './oauth-error.ts';

/**
 * `application/x-www-form-urlencoded` into a plain object of strings (RFC 6749 §3.2: parameters
 * sent without a value count as omitted, and none may be repeated).
 */
export function parseFormBody(body: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) throw new OAuthError('invalid_request', `parameter ${name} is repeated`);
    seen.add(name);
    if (value !== '') parameters[name] = value;
  }
  return parameters;
}
