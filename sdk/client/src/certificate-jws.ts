import { decodeBase64, encodeBase64, wellFormedText } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { ed25519Verify, type Steps } from './crypto-steps.ts';

/**
 * The signature of an evidence certificate: a compact JWS (RFC 7515), header `{alg: EdDSA, kid}`,
 * payload the RFC 8785 canonical JSON of the certificate body, signed with a platform
 * `certificates` key (GET /api/v1/certificates/keys). Written as crypto steps: the server runs it
 * with node:crypto, verifyCertificate with WebCrypto, so both read and decide alike.
 */

export const CERTIFICATE_JWS_ALGORITHM = 'EdDSA';

/** A certificates key: its id (the JWS `kid`, the JWK thumbprint) and the raw 32-byte Ed25519 public key. */
export type CertificateJwsKey = { id: string; publicKey: Uint8Array };

export type CertificateJwsFailureCode = 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'NOT_CANONICAL';

/** `payload`: the signed JSON value, canonical; whether it is a well-formed certificate body is the caller's check. */
export type CertificateJwsSignature = { ok: true; payload: unknown; payloadText: string; keyId: string } | { ok: false; code: CertificateJwsFailureCode; message: string };

/** A JWS far larger than any certificate is refused before any decoding. */
const MAX_JWS_LENGTH = 64 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const fail = (code: CertificateJwsFailureCode, message: string): CertificateJwsSignature => ({ ok: false, code, message });

export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url without padding, and only its one canonical spelling (no spare trailing bits). */
export function decodeBase64Url(segment: string): Uint8Array | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const bytes = decodeBase64(segment.replace(/-/g, '+').replace(/_/g, '/'));
  return bytes !== undefined && encodeBase64Url(bytes) === segment ? bytes : undefined;
}

function parseJson(bytes: Uint8Array): { ok: true; text: string; value: unknown } | { ok: false } {
  const text = wellFormedText(bytes);
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, text, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function canonicalOrUndefined(value: unknown): string | undefined {
  try {
    return canonicalize(value);
  } catch {
    return undefined;
  }
}

/**
 * Checks a certificate JWS against the certificates keys (by `kid`): Ed25519 signature first, then
 * that the payload is exactly the canonical JSON of itself. Never throws: any input gets a result.
 */
export function* checkCertificateJws(jws: string, keys: readonly CertificateJwsKey[]): Steps<CertificateJwsSignature> {
  if (typeof jws !== 'string' || jws.length > MAX_JWS_LENGTH) return fail('MALFORMED', 'not a compact JWS (or longer than 64 KiB)');
  const segments = jws.trim().split('.');
  if (segments.length !== 3) return fail('MALFORMED', 'not a compact JWS: expected three dot-separated parts');
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  const [headerBytes, payloadBytes, signature] = [decodeBase64Url(headerPart), decodeBase64Url(payloadPart), decodeBase64Url(signaturePart)];
  if (!headerBytes || !payloadBytes || !signature) return fail('MALFORMED', 'a JWS part is not unpadded base64url');

  const header = parseJson(headerBytes);
  if (!header.ok || typeof header.value !== 'object' || header.value === null || Array.isArray(header.value)) return fail('MALFORMED', 'the JWS header is not a JSON object');
  const { alg, kid, crit } = header.value as Record<string, unknown>;
  if (alg !== CERTIFICATE_JWS_ALGORITHM) return fail('MALFORMED', `the JWS algorithm must be ${CERTIFICATE_JWS_ALGORITHM}, got ${JSON.stringify(alg) ?? 'none'}`);
  if (typeof kid !== 'string' || kid.length === 0) return fail('MALFORMED', 'the JWS header has no kid');
  if (crit !== undefined) return fail('MALFORMED', 'the JWS header has critical extensions this verifier does not know');

  const key = keys.find((candidate) => candidate.id === kid);
  if (!key) return fail('UNKNOWN_KEY', `the certificate is signed by key ${JSON.stringify(kid)}, which is not among the ${keys.length} given certificates key(s)`);
  if (!(yield* ed25519Verify(key.publicKey, signature, new TextEncoder().encode(`${headerPart}.${payloadPart}`)))) {
    return fail('BAD_SIGNATURE', `the signature does not verify with key ${JSON.stringify(kid)}`);
  }

  const payload = parseJson(payloadBytes);
  if (!payload.ok) return fail('MALFORMED', 'the JWS payload is not UTF-8 JSON');
  if (canonicalOrUndefined(payload.value) !== payload.text) return fail('NOT_CANONICAL', 'the JWS payload is not RFC 8785 canonical JSON');
  return { ok: true, payload: payload.value, payloadText: payload.text, keyId: kid };
}
