import type { Result } from './types.ts';

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Bytes from hex (optionally 0x-prefixed) or base64 / base64url text, or bytes as given.
 * Text that is valid hex of even length is read as hex: a real quote in base64 is never all-hex.
 * Base64 must round-trip, so stray characters are rejected instead of silently skipped.
 */
export function decodeBinaryInput(input: unknown, what: string): Result<Uint8Array, 'MALFORMED'> {
  if (input instanceof Uint8Array) {
    return input.length > 0 ? { ok: true, value: input } : malformed(`${what} is empty`);
  }
  if (typeof input !== 'string') return malformed(`${what} must be a hex or base64 string, got ${describeType(input)}`);
  const text = input.replace(/\s+/g, '');
  const unprefixed = /^0x/i.test(text) ? text.slice(2) : text;
  if (unprefixed.length === 0) return malformed(`${what} is empty`);
  if (HEX.test(unprefixed)) {
    if (unprefixed.length % 2 === 0) return { ok: true, value: Buffer.from(unprefixed, 'hex') };
    if (unprefixed !== text) return malformed(`${what} has an odd number of hex digits (${unprefixed.length})`);
  }
  const encoding = unprefixed !== text ? null : BASE64.test(text) ? 'base64' : BASE64URL.test(text) ? 'base64url' : null;
  if (encoding !== null) {
    const bytes = Buffer.from(text, encoding);
    if (bytes.length > 0 && bytes.toString(encoding).replace(/=+$/, '') === text.replace(/=+$/, '')) return { ok: true, value: bytes };
  }
  return malformed(`${what} is neither hex nor base64`);
}

const malformed = (message: string): { ok: false; code: 'MALFORMED'; message: string } => ({
  ok: false,
  code: 'MALFORMED',
  message,
});

export const describeType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
