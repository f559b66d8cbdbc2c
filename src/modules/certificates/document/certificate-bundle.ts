import { parseCertificateBundle } from '#client/certificates.ts';
import type { CertificateAnchor } from './certificate-anchor.ts';
import type { CertificateJson } from './certificate-json.ts';
import { type CertificateContentChecks, type CertificateTrust, checkCertificateParts, unreadableCertificate } from './check-certificate.ts';

/**
 * The JSON form of a certificate, as GET .../certificate.json serves it and verify-certificate
 * reads it: the body for reading, the JWS that signs it, the ledger receipt once there is one, and
 * once the certificate is anchored, the anchor of the checkpoint that receipt is under.
 * The body is informative; what counts is the JWS (a body that differs from its payload fails).
 */
export type CertificateBundle = { certificate: CertificateJson; jws: string; receipt: string | null; anchor?: CertificateAnchor | null };

/** A certificate read from JSON text (bundle or bare JWS) by the client SDK's reader, so the server and the SDK accept the same documents. */
export { parseCertificateBundle };
export type CertificateBundleParse = ReturnType<typeof parseCertificateBundle>;

export type CertificateBundleVerification = CertificateContentChecks;

/** Checks a certificate given as JSON (bundle or bare JWS): its signature and, with ledger keys, its receipt. */
export function verifyCertificateBundle(input: string | Uint8Array, trust: CertificateTrust): CertificateBundleVerification {
  const parsed = parseCertificateBundle(input);
  return parsed.ok ? checkCertificateParts(parsed, trust) : unreadableCertificate('MALFORMED_BUNDLE', parsed.message, trust);
}
