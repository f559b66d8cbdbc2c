import { verify, type KeyObject } from 'node:crypto';
import { canonicalize } from '#platform/canonical-json.ts';
import { type CertificateJson, parseCertificateJson } from './certificate-json.ts';
import { CERTIFICATE_JWS_ALGORITHM } from './sign-certificate.ts';

export type CertificateVerificationKey = { id: string; publicKey: KeyObject };

export type CertificateJwsFailureCode = 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'NOT_CANONICAL';

export type CertificateJwsCheck =
  | { ok: true; body: CertificateJson; keyId: string }
  | { ok: false; code: CertificateJwsFailureCode; message: string };

/** A JWS far larger than any certificate is refused before any decoding. */
const MAX_JWS_LENGTH = 64 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const fail = (code: CertificateJwsFailureCode, message: string): CertificateJwsCheck => ({ ok: false, code, message });

/** base64url without padding, and only its one canonical spelling (no spare trailing bits). */
function decodeSegment(segment: string): Buffer | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

function parseJson(bytes: Buffer): { ok: true; text: string; value: unknown } | { ok: false } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
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
 * that the payload is exactly the canonical JSON of itself, then that it is a certificate body.
 * Never throws: any input gets a result.
 */
export function verifyCertificateJws(jws: string, publicKeys: readonly CertificateVerificationKey[]): CertificateJwsCheck {
  if (typeof jws !== 'string' || jws.length > MAX_JWS_LENGTH) return fail('MALFORMED', 'not a compact JWS (or longer than 64 KiB)');
  const segments = jws.trim().split('.');
  if (segments.length !== 3) return fail('MALFORMED', 'not a compact JWS: expected three dot-separated parts');
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  const [headerBytes, payloadBytes, signature] = [decodeSegment(headerPart), decodeSegment(payloadPart), decodeSegment(signaturePart)];
  if (!headerBytes || !payloadBytes || !signature) return fail('MALFORMED', 'a JWS part is not unpadded base64url');

  const header = parseJson(headerBytes);
  if (!header.ok || typeof header.value !== 'object' || header.value === null || Array.isArray(header.value)) return fail('MALFORMED', 'the JWS header is not a JSON object');
  const { alg, kid, crit } = header.value as Record<string, unknown>;
  if (alg !== CERTIFICATE_JWS_ALGORITHM) return fail('MALFORMED', `the JWS algorithm must be ${CERTIFICATE_JWS_ALGORITHM}, got ${JSON.stringify(alg) ?? 'none'}`);
  if (typeof kid !== 'string' || kid.length === 0) return fail('MALFORMED', 'the JWS header has no kid');
  if (crit !== undefined) return fail('MALFORMED', 'the JWS header has critical extensions this verifier does not know');

  const key = publicKeys.find((candidate) => candidate.id === kid && candidate.publicKey.asymmetricKeyType === 'ed25519');
  if (!key) return fail('UNKNOWN_KEY', `the certificate is signed by key ${JSON.stringify(kid)}, which is not among the ${publicKeys.length} given certificates key(s)`);
  if (!verify(null, Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), key.publicKey, signature)) {
    return fail('BAD_SIGNATURE', `the signature does not verify with key ${JSON.stringify(kid)}`);
  }

  const payload = parseJson(payloadBytes);
  if (!payload.ok) return fail('MALFORMED', 'the JWS payload is not UTF-8 JSON');
  if (canonicalOrUndefined(payload.value) !== payload.text) return fail('NOT_CANONICAL', 'the JWS payload is not RFC 8785 canonical JSON');
  const body = parseCertificateJson(payload.value);
  if (!body.ok) return fail('MALFORMED', body.message);
  return { ok: true, body: body.body, keyId: kid };
}
