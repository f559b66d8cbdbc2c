import type { KeyObject } from 'node:crypto';
import type { ErasureReport } from './erasure-report.ts';

/**
 * Why evidence was rejected. Closed list; each code's meaning is in EVIDENCE_REJECTION_CODES.
 * A code describes the evidence, never the platform: nothing here is worth retrying.
 */
export const EVIDENCE_REJECTION_CODES = {
  MALFORMED_CMS: 'not DER, truncated, nested deeper than the limit, or not the CMS structure it claims to be',
  UNSUPPORTED_ALGORITHM: 'a digest, signature, key or encryption algorithm (or key size) outside the supported set',
  NO_SIGNER: 'SignedData without any SignerInfo',
  SIGNER_CERTIFICATE_MISSING: "a signer's certificate is not among the CMS certificates",
  SIGNATURE_INVALID: 'a signature does not verify with its certificate, or its signed content type differs',
  CONTENT_DIGEST_MISMATCH: 'the message-digest attribute does not match the content (tampered or wrong detached content)',
  CONTENT_MISSING: 'a detached signature submitted without its content',
  CHAIN_UNTRUSTED: 'no valid path to a trust anchor (unknown root, CA constraints, unknown critical extension)',
  CERT_EXPIRED: 'a certificate of the path had expired at the time of validation',
  CERT_NOT_YET_VALID: 'a certificate of the path was not yet valid at the time of validation',
  CERT_REVOKED: 'a certificate of the path is listed on a CRL given with the trust anchors',
  KEY_USAGE_INVALID: "the signer certificate's keyUsage allows neither digitalSignature nor nonRepudiation",
  SIGNING_TIME_INVALID: 'the signing-time attribute is unreadable, in the future, or later than the timestamp',
  TIMESTAMP_INVALID: 'a signature timestamp is present but does not verify, does not cover the signature, or its TSA is not trusted',
  CONTENT_INVALID: 'content declaring "schema": "erasure-report/v1" (or another erasure-report version) does not satisfy the schema',
  DECRYPT_FAILED: 'EnvelopedData that the platform evidence key cannot decrypt (other recipient, wrong key, corrupted)',
  LIMIT_EXCEEDED: 'input over a size or count limit (EVIDENCE_LIMITS)',
} as const;

export type EvidenceRejectionCode = keyof typeof EVIDENCE_REJECTION_CODES;

export type EvidenceTrust = {
  /** The partner's CA certificates (DER), root or intermediate; a path ends at any of them. */
  anchors: readonly Uint8Array[];
  /** DER CRLs given with the anchors; used for the signer's and the TSA's paths. */
  crls: readonly Uint8Array[];
  /** TSA trust anchors (DER), the partner's and the operator-wide ones. */
  tsaAnchors: readonly Uint8Array[];
  /** The platform evidence key, for EnvelopedData (RSA: RSAES-OAEP key transport; EC P-256/P-384: ECDH). */
  decryption?: { privateKey: KeyObject; certificate: Uint8Array };
  now: Date;
};

export type EvidenceTimestamp = {
  /** genTime of the RFC 3161 token, ISO 8601. */
  time: string;
  /** Subject of the TSA certificate (RFC 4514). */
  tsa: string;
};

export type EvidenceSigner = {
  /** RFC 4514 string, most specific RDN first ("CN=...,O=...,C=..."). */
  subject: string;
  issuer: string;
  /** Lowercase hex, no leading zeros. */
  serialNumber: string;
  /** SHA-256 of the certificate DER, lowercase hex. */
  sha256Fingerprint: string;
  /** ECDSA-SHA256 | ECDSA-SHA384 | ECDSA-SHA512 | RSA-PKCS1-SHA256 | ... | RSA-PSS-SHA256 | ... | Ed25519 */
  signatureAlgorithm: string;
  /** The signing-time signed attribute, ISO 8601, or null when absent. */
  signingTime: string | null;
  /** This signer's trusted signature timestamp, or null. */
  timestamp: EvidenceTimestamp | null;
};

export type VerifiedEvidence = {
  ok: true;
  content: Uint8Array;
  contentSha256: string;
  mediaType: string;
  /** eContentType of the SignedData (dotted OID; 1.2.840.113549.1.7.1 for plain data). */
  contentType: string;
  document: { schema: 'erasure-report/v1'; report: ErasureReport } | { schema: null };
  signers: EvidenceSigner[];
  /** The first signer's timestamp (every signer's is in signers[].timestamp). */
  timestamp: EvidenceTimestamp | null;
  encrypted: boolean;
  /** The instant the certificate paths were validated at (the timestamp when present). */
  validatedAt: string;
};

export type EvidenceRejection = {
  ok: false;
  code: EvidenceRejectionCode;
  /** For people; names the failing element, never key material. */
  message: string;
  /** JSON pointer into the document, for CONTENT_INVALID. */
  path?: string;
};

export function reject(code: EvidenceRejectionCode, message: string, path?: string): EvidenceRejection {
  return path === undefined ? { ok: false, code, message } : { ok: false, code, message, path };
}

/** Internal step results: a value, or the rejection that ends verification. */
export type Step<T> = { ok: true; value: T } | EvidenceRejection;

export function accept<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A short description of a thrown value, for messages; never throws itself. */
export function describeError(error: unknown): string {
  try {
    return (error instanceof Error ? error.message : String(error)).slice(0, 200);
  } catch {
    return 'an unreadable error';
  }
}
