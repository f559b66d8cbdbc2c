/**
 * Test-only access to the signed-evidence vectors in ./fixtures, made with the openssl CLI by
 * scripts/make-evidence-vectors.sh (what each file is and what it must give:
 * fixtures/PROVENANCE.md). Also for end-to-end tests of the evidence service.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EvidenceRejectionCode, EvidenceTrust } from './types.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);

export const readVector = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

/** The DER of the first PEM block of a fixture. */
export function readPemVector(name: string): Buffer {
  const match = /-----BEGIN [A-Z0-9 ]+-----([^-]+)-----END/.exec(readVector(name).toString('latin1'));
  if (!match) throw new Error(`${name} holds no PEM block`);
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

/** After the vectors were made (2026-12-01 ~09:57 UTC); every "far" certificate runs to 2046. */
export const VECTORS_VERIFY_AT = new Date('2026-12-15T00:00:00Z');
/** After signer-until-2040 expired, while the CAs and the TSA (to 2046-01-01) are still valid. */
export const AFTER_SIGNER_EXPIRY_AT = new Date('2045-01-01T00:00:00Z');

export function platformEvidenceKey(kind: 'rsa' | 'ec'): { privateKey: KeyObject; certificate: Uint8Array } {
  return {
    privateKey: createPrivateKey(readVector(`platform-evidence-${kind}.TEST-KEY.pem`)),
    certificate: readPemVector(`platform-evidence-${kind}.pem`),
  };
}

/**
 * The trust PROVENANCE.md's expectations assume: anchors EC root + RSA root, the CRLs of the EC
 * intermediate (listing signer-revoked) and of the EC root, the test TSA's root, the RSA
 * platform evidence key.
 */
export function vectorsTrust(overrides: Partial<EvidenceTrust> = {}): EvidenceTrust {
  return {
    anchors: [readPemVector('ec-root-ca.pem'), readPemVector('rsa-root-ca.pem')],
    crls: [readPemVector('ec-intermediate-ca.crl.pem'), readPemVector('ec-root-ca.crl.pem')],
    tsaAnchors: [readPemVector('tsa-root-ca.pem')],
    decryption: platformEvidenceKey('rsa'),
    now: VECTORS_VERIFY_AT,
    ...overrides,
  };
}

/** `depth` SEQUENCEs of indefinite length around a NULL (BER): nesting without the bulk. */
export function deeplyNested(depth: number): Uint8Array {
  const open = Buffer.alloc(2 * depth, Buffer.from([0x30, 0x80]));
  return Buffer.concat([open, Buffer.from([0x05, 0x00]), Buffer.alloc(2 * depth)]);
}

/** What each vector gives when verified with vectorsTrust() at VECTORS_VERIFY_AT (fixtures/PROVENANCE.md). */
export const VECTOR_OUTCOMES: [vector: string, outcome: EvidenceRejectionCode | 'verified'][] = [
  ['ec-embedded.der', 'verified'],
  ['ec-p384-sha384.der', 'verified'],
  ['rsa-pkcs1.der', 'verified'],
  ['rsa-pss.der', 'verified'],
  ['ed25519.der', 'verified'],
  ['two-signers.der', 'verified'],
  ['ec-no-signed-attributes.der', 'verified'],
  ['opaque-text.der', 'verified'],
  ['ec-until-2040.der', 'verified'],
  ['ec-until-2040-timestamped.der', 'verified'],
  ['enveloped-rsa-oaep.der', 'verified'],
  ['ec-detached.der', 'CONTENT_MISSING'],
  ['invalid-report.der', 'CONTENT_INVALID'],
  ['ec-sha1.der', 'UNSUPPORTED_ALGORITHM'],
  ['signer-certificate-missing.der', 'SIGNER_CERTIFICATE_MISSING'],
  ['no-signers.der', 'NO_SIGNER'],
  ['expired-signer.der', 'CERT_EXPIRED'],
  ['not-yet-valid-signer.der', 'CERT_NOT_YET_VALID'],
  ['revoked-signer.der', 'CERT_REVOKED'],
  ['key-usage-invalid.der', 'KEY_USAGE_INVALID'],
  ['unknown-critical-extension.der', 'CHAIN_UNTRUSTED'],
  ['untrusted-chain.der', 'CHAIN_UNTRUSTED'],
  ['pathlen-exceeded.der', 'CHAIN_UNTRUSTED'],
  ['issuer-not-a-ca.der', 'CHAIN_UNTRUSTED'],
  ['long-chain.der', 'LIMIT_EXCEEDED'],
  ['ec-untrusted-tsa.der', 'TIMESTAMP_INVALID'],
  ['ec-timestamp-other-signature.der', 'TIMESTAMP_INVALID'],
  ['enveloped-rsa-pkcs1v15.der', 'UNSUPPORTED_ALGORITHM'],
];
