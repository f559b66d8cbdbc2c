import { sha256 } from './sha256.ts';

/**
 * The binding ties a proof to one proof request: the `binding` public signal is
 *
 *   uint256_be(SHA-256("veridity/binding/v1" || 0x00 || utf8(nonce) || 0x00 ||
 *                      utf8(canonical_domain))) >> 3
 *
 * i.e. the top 253 bits of the digest, always below the BN254 scalar field order
 * (2^253 < r), so it is a field element without reduction. Synchronous and free of
 * Node/DOM APIs (see sha256.ts) so the server and a bundled holder page share it.
 */
export const BINDING_TAG = 'veridity/binding/v1';

/**
 * trim, lowercase (Unicode default case mapping, locale-independent), then strip one
 * trailing dot ("Bank.Example." -> "bank.example"). Internationalised domains are not
 * IDNA-converted: callers pass the ASCII (xn--) form.
 */
export function canonicalizeVerifierDomain(verifierDomain: string): string {
  const lowered = verifierDomain.trim().toLowerCase();
  return lowered.endsWith('.') ? lowered.slice(0, -1) : lowered;
}

const encoder = new TextEncoder();

/**
 * Throws (programmer error; the request schema must reject these first) when the nonce
 * contains U+0000 — the separator, whose absence makes the encoding injective — when a
 * string is not well-formed UTF-16 (TextEncoder would silently replace lone surrogates),
 * or when the canonical domain is empty.
 */
export function computeBinding(nonce: string, verifierDomain: string): bigint {
  const domain = canonicalizeVerifierDomain(verifierDomain);
  if (nonce.includes('\u0000')) throw new RangeError('nonce must not contain U+0000');
  if (!nonce.isWellFormed() || !domain.isWellFormed()) {
    throw new RangeError('nonce and verifier domain must be well-formed Unicode');
  }
  if (domain === '') throw new RangeError('verifier domain is empty');

  const parts = [encoder.encode(BINDING_TAG), encoder.encode(nonce), encoder.encode(domain)];
  const message = new Uint8Array(parts.reduce((total, part) => total + part.length, 0) + 2);
  let offset = 0;
  parts.forEach((part, index) => {
    if (index > 0) message[offset++] = 0x00;
    message.set(part, offset);
    offset += part.length;
  });

  let digest = 0n;
  for (const byte of sha256(message)) digest = (digest << 8n) | BigInt(byte);
  return digest >> 3n;
}
