import type { EvidenceRejectionCode } from './verification/index.ts';

/** What the partner (or its station) should change before submitting again, per rejection code; told in the rejection e-mail. */
export const EVIDENCE_REJECTION_FIXES: Record<EvidenceRejectionCode, string> = {
  MALFORMED_CMS: 'Submit the DER-encoded CMS (PKCS#7) file itself, as `openssl cms -sign -outform DER` writes it, not PEM text, a truncated upload or another format.',
  UNSUPPORTED_ALGORITHM: 'Sign with SHA-256/384/512 and ECDSA P-256/P-384/P-521, RSA (2048-8192 bits, PKCS#1 v1.5 or PSS) or Ed25519; encrypt with RSA-OAEP (`-keyopt rsa_padding_mode:oaep`) or ECDH key agreement.',
  NO_SIGNER: 'Sign the document: the CMS must carry at least one signer.',
  SIGNER_CERTIFICATE_MISSING: "Include the signer's certificate in the CMS (do not pass `-nocerts` to openssl).",
  SIGNATURE_INVALID: 'Sign the document again with the private key of the certificate included; the file may have been altered after signing.',
  CONTENT_DIGEST_MISMATCH: 'Send the exact content that was signed (for a detached signature, the same bytes), unaltered.',
  CONTENT_MISSING: 'This submission stays rejected: sign the document again (a new file) and send it with its content (content_base64), or sign with the content embedded.',
  CHAIN_UNTRUSTED: 'Upload the CA that issued the signer certificate (PUT /api/v1/evidence/trust-anchors), or include the intermediate certificates in the CMS, then submit again.',
  CERT_EXPIRED: 'Renew the station certificate (or add a trusted RFC 3161 timestamp made while it was valid) and sign again.',
  CERT_NOT_YET_VALID: "Check the station's clock and the certificate's validity period, then sign again.",
  CERT_REVOKED: 'The signer (or a CA on its path) is revoked: issue the station a new certificate and sign again.',
  KEY_USAGE_INVALID: 'Issue the signer a certificate whose keyUsage allows digitalSignature or nonRepudiation.',
  SIGNING_TIME_INVALID: "Fix the station's clock (the signing time must not be in the future or after the timestamp) and sign again.",
  TIMESTAMP_INVALID: "Upload the TSA's root (PUT /api/v1/evidence/tsa-anchors) or timestamp the signature with a trusted TSA, then sign again.",
  CONTENT_INVALID: 'Make the report satisfy erasure-report/v1 (the error path names the field), then sign and submit it again.',
  DECRYPT_FAILED: "Encrypt to the platform's current evidence certificate (GET /api/v1/evidence/encryption-certificate) with RSA-OAEP, or send the signed document unencrypted.",
  LIMIT_EXCEEDED: 'Stay within the limits: DER 1 MiB, content 8 MiB, 50 certificates, 16 signers.',
};
