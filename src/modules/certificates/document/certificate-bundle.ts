import { canonicalize } from '#platform/canonical-json.ts';
import type { CertificateAnchor } from './certificate-anchor.ts';
import { CERTIFICATE_TYPE, type CertificateJson } from './certificate-json.ts';
import { type CertificateContentChecks, type CertificateTrust, checkCertificateParts, type SignedCertificateParts, unreadableCertificate } from './check-certificate.ts';

/**
 * The JSON form of a certificate, as GET .../certificate.json serves it and verify-certificate
 * reads it: the body for reading, the JWS that signs it, the ledger receipt once there is one, and
 * once the certificate is anchored, the anchor of the checkpoint that receipt is under.
 * The body is informative; what counts is the JWS (a body that differs from its payload fails).
 */
export type CertificateBundle = { certificate: CertificateJson; jws: string; receipt: string | null; anchor?: CertificateAnchor | null };

export type CertificateBundleParse = ({ ok: true } & SignedCertificateParts) | { ok: false; message: string };

/** A bundle is small; anything far larger is refused before parsing. */
const MAX_BUNDLE_BYTES = 256 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a certificate given as JSON text: a CertificateBundle object, or the bare compact JWS
 * (no receipt then). Never throws.
 */
export function parseCertificateBundle(input: string | Uint8Array): CertificateBundleParse {
  if (input.length > MAX_BUNDLE_BYTES) return { ok: false, message: `larger than ${MAX_BUNDLE_BYTES} bytes: not a certificate` };
  const text = (typeof input === 'string' ? input : Buffer.from(input).toString('utf8')).trim();
  if (COMPACT_JWS.test(text)) return { ok: true, jws: text, shownCertificate: undefined, receipt: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, message: 'not a JSON object' };
  if (value.type === CERTIFICATE_TYPE) return { ok: false, message: 'a certificate body without its signature: give certificate.jws, the { certificate, jws, receipt } JSON or the PDF' };
  const { certificate, jws, receipt, anchor } = value;
  if (typeof jws !== 'string') return { ok: false, message: 'the JSON has no "jws" string' };
  if (receipt !== undefined && receipt !== null && typeof receipt !== 'string') return { ok: false, message: '"receipt" must be the receipt text or null' };
  let shownCertificate: string | undefined;
  try {
    shownCertificate = certificate === undefined ? undefined : canonicalize(certificate);
  } catch (error) {
    return { ok: false, message: `"certificate" is not canonical JSON material: ${(error as Error).message}` };
  }
  return { ok: true, jws, shownCertificate, receipt: receipt ?? null, anchor };
}

export type CertificateBundleVerification = CertificateContentChecks;

/** Checks a certificate given as JSON (bundle or bare JWS): its signature and, with ledger keys, its receipt. */
export function verifyCertificateBundle(input: string | Uint8Array, trust: CertificateTrust): CertificateBundleVerification {
  const parsed = parseCertificateBundle(input);
  return parsed.ok ? checkCertificateParts(parsed, trust) : unreadableCertificate('MALFORMED_BUNDLE', parsed.message, trust);
}
