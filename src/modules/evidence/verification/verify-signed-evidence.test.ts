import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EVIDENCE_LIMITS } from './limits.ts';
import { OID } from './oids.ts';
import {
  AFTER_SIGNER_EXPIRY_AT,
  deeplyNested,
  platformEvidenceKey,
  readPemVector,
  readVector,
  vectorsTrust,
  VECTORS_VERIFY_AT,
  VECTOR_OUTCOMES,
} from './test-vectors.ts';
import type { EvidenceRejection, EvidenceRejectionCode, EvidenceTrust, VerifiedEvidence } from './types.ts';
import { verifySignedEvidence } from './verify-signed-evidence.ts';

async function verifyVector(name: string, trust: EvidenceTrust = vectorsTrust(), detachedContent?: Uint8Array) {
  return verifySignedEvidence({ der: readVector(name), ...(detachedContent ? { detachedContent } : {}) }, trust);
}

function expectVerified(result: VerifiedEvidence | EvidenceRejection): VerifiedEvidence {
  assert.ok(result.ok, `expected verified evidence, got ${result.ok ? '' : `${result.code}: ${result.message}`}`);
  return result;
}

function expectRejected(result: VerifiedEvidence | EvidenceRejection, code: EvidenceRejectionCode): EvidenceRejection {
  assert.equal(result.ok, false, `expected ${code}, got verified evidence`);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.code, code, result.message);
  return result;
}

/** The certificate fields the verifier reports, read independently by Node's X.509 parser. */
function certificateIdentity(pemName: string) {
  const certificate = new X509Certificate(readVector(pemName));
  return {
    serialNumber: certificate.serialNumber.toLowerCase().replace(/^0+/, ''),
    sha256Fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

function withLastByteFlipped(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
}

/** Rewrites a vector's SignedData with pkijs (structure only; signatures are left as they are). */
function rewriteSignedData(name: string, change: (signedData: pkijs.SignedData) => void): Uint8Array {
  const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(readVector(name)));
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  change(signedData);
  return new Uint8Array(new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) }).toSchema().toBER());
}

describe('verifySignedEvidence: the openssl vectors (fixtures/PROVENANCE.md)', () => {
  for (const [vector, outcome] of VECTOR_OUTCOMES) {
    test(`${vector}: ${outcome}`, async () => {
      const result = await verifyVector(vector);
      if (outcome === 'verified') expectVerified(result);
      else expectRejected(result, outcome);
    });
  }
});

describe('verifySignedEvidence: what a verified erasure report carries', () => {
  test('document, digest, media type and the signer as Node reads its certificate', async () => {
    const evidence = expectVerified(await verifyVector('ec-embedded.der'));
    const report = readVector('erasure-report.json');
    assert.deepEqual(Buffer.from(evidence.content), report);
    assert.equal(evidence.contentSha256, createHash('sha256').update(report).digest('hex'));
    assert.equal(evidence.mediaType, 'application/json');
    assert.equal(evidence.contentType, OID.data);
    assert.equal(evidence.encrypted, false);
    assert.equal(evidence.timestamp, null);
    assert.equal(evidence.validatedAt, VECTORS_VERIFY_AT.toISOString());
    assert.equal(evidence.document.schema, 'erasure-report/v1');
    if (evidence.document.schema !== null) {
      assert.equal(evidence.document.report.sanitization.method, 'purge');
      assert.equal(evidence.document.report.device.serial, 'S45NNE0M123456');
    }
    assert.equal(evidence.signers.length, 1);
    const [signer] = evidence.signers;
    assert.deepEqual({ serialNumber: signer!.serialNumber, sha256Fingerprint: signer!.sha256Fingerprint }, certificateIdentity('signer-ec.pem'));
    assert.equal(signer!.subject, 'CN=Signer EC P-256,OU=Erasure station 1,O=Veridity Test,C=DE');
    assert.equal(signer!.issuer, 'CN=Veridity Test EC Intermediate CA,O=Veridity Test,C=DE');
    assert.equal(signer!.signatureAlgorithm, 'ECDSA-SHA256');
    assert.match(signer!.signingTime ?? '', /^2026-12-01T\d\d:\d\d:\d\d\.000Z$/);
  });

  test('each signature algorithm is named', async () => {
    const names = async (vector: string) => expectVerified(await verifyVector(vector)).signers.map((signer) => signer.signatureAlgorithm);
    assert.deepEqual(await names('ec-p384-sha384.der'), ['ECDSA-SHA384']);
    assert.deepEqual(await names('rsa-pkcs1.der'), ['RSA-PKCS1-SHA256']);
    assert.deepEqual(await names('rsa-pss.der'), ['RSA-PSS-SHA256']);
    assert.deepEqual(await names('ed25519.der'), ['Ed25519']);
    assert.deepEqual(await names('two-signers.der'), ['ECDSA-SHA256', 'RSA-PKCS1-SHA256']);
  });

  test('opaque documents: SHA-256 and media type only', async () => {
    const text = expectVerified(await verifyVector('opaque-text.der'));
    assert.equal(text.mediaType, 'text/plain');
    assert.deepEqual(text.document, { schema: null });
    const unsigned = expectVerified(await verifyVector('ec-no-signed-attributes.der'));
    assert.equal(unsigned.signers[0]!.signingTime, null);
  });

  test('an invalid report names the JSON pointer of the problem', async () => {
    const rejection = expectRejected(await verifyVector('invalid-report.der'), 'CONTENT_INVALID');
    assert.equal(rejection.path, '/sanitization/method');
  });
});

describe('verifySignedEvidence: content', () => {
  test('detached: verified with its content, refused without it or with altered content', async () => {
    const evidence = expectVerified(await verifyVector('ec-detached.der', vectorsTrust(), readVector('erasure-report.json')));
    assert.equal(evidence.document.schema, 'erasure-report/v1');
    expectRejected(await verifyVector('ec-detached.der'), 'CONTENT_MISSING');
    expectRejected(await verifyVector('ec-detached.der', vectorsTrust(), readVector('erasure-report-tampered.json')), 'CONTENT_DIGEST_MISMATCH');
  });

  test('embedded: content given beside it must be the same bytes', async () => {
    expectVerified(await verifyVector('ec-embedded.der', vectorsTrust(), readVector('erasure-report.json')));
    expectRejected(await verifyVector('ec-embedded.der', vectorsTrust(), readVector('erasure-report-tampered.json')), 'CONTENT_DIGEST_MISMATCH');
  });

  test('a changed signature value does not verify (EC and RSA)', async () => {
    // The signature value is the last element of the last SignerInfo: the file's last byte.
    for (const vector of ['ec-embedded.der', 'rsa-pkcs1.der', 'ed25519.der']) {
      expectRejected(await verifySignedEvidence({ der: withLastByteFlipped(readVector(vector)) }, vectorsTrust()), 'SIGNATURE_INVALID');
    }
  });
});

describe('verifySignedEvidence: certificate paths', () => {
  test('a root the partner adds makes the untrusted chain valid', async () => {
    const trust = vectorsTrust({ anchors: [readPemVector('untrusted-root-ca.pem')] });
    expectVerified(await verifyVector('untrusted-chain.der', trust));
    expectRejected(await verifyVector('ec-embedded.der', trust), 'CHAIN_UNTRUSTED');
  });

  test('an intermediate CA can be the anchor', async () => {
    expectVerified(await verifyVector('ec-embedded.der', vectorsTrust({ anchors: [readPemVector('ec-intermediate-ca.pem')] })));
  });

  test('revocation needs the CRL, and only a CRL its issuer signed counts', async () => {
    expectVerified(await verifyVector('revoked-signer.der', vectorsTrust({ crls: [] })));
    expectVerified(await verifyVector('revoked-signer.der', vectorsTrust({ crls: [readPemVector('ec-root-ca.crl.pem')] })));
    const forgedCrl = withLastByteFlipped(readPemVector('ec-intermediate-ca.crl.pem'));
    expectVerified(await verifyVector('revoked-signer.der', vectorsTrust({ crls: [forgedCrl] })));
    const rejection = expectRejected(await verifyVector('revoked-signer.der'), 'CERT_REVOKED');
    assert.match(rejection.message, /Signer revoked/);
  });

  test('without a timestamp the certificates must be valid now, whatever the signing-time says', async () => {
    const rejection = expectRejected(await verifyVector('ec-until-2040.der', vectorsTrust({ now: AFTER_SIGNER_EXPIRY_AT })), 'CERT_EXPIRED');
    assert.match(rejection.message, /Signer valid until 2040/);
  });

  test('a signing-time in the future is refused', async () => {
    expectRejected(await verifyVector('ec-embedded.der', vectorsTrust({ now: new Date('2026-11-01T00:00:00Z') })), 'SIGNING_TIME_INVALID');
  });

  test('a CMS with more certificates than the limit is refused before any is read', async () => {
    const der = rewriteSignedData('ec-embedded.der', (signedData) => {
      const [first] = signedData.certificates!;
      signedData.certificates = Array.from({ length: EVIDENCE_LIMITS.maxCmsCertificates + 1 }, () => first!);
    });
    expectRejected(await verifySignedEvidence({ der }, vectorsTrust()), 'LIMIT_EXCEEDED');
  });

  test('more signers than the limit are refused', async () => {
    const der = rewriteSignedData('ec-embedded.der', (signedData) => {
      signedData.signerInfos = Array.from({ length: EVIDENCE_LIMITS.maxSigners + 1 }, () => signedData.signerInfos[0]!);
    });
    expectRejected(await verifySignedEvidence({ der }, vectorsTrust()), 'LIMIT_EXCEEDED');
  });
});

describe('verifySignedEvidence: signature timestamps', () => {
  test('a timestamped signature stays valid after the signer certificate expired', async () => {
    const evidence = expectVerified(await verifyVector('ec-until-2040-timestamped.der', vectorsTrust({ now: AFTER_SIGNER_EXPIRY_AT })));
    const timestamp = evidence.timestamp!;
    assert.equal(timestamp.tsa, 'CN=Veridity Test TSA,O=Veridity Test,C=DE');
    assert.match(timestamp.time, /^2026-12-01T/);
    assert.deepEqual(evidence.signers[0]!.timestamp, timestamp);
    assert.equal(evidence.validatedAt, timestamp.time);
  });

  test('the timestamp counts only from a trusted TSA valid now', async () => {
    expectRejected(await verifyVector('ec-until-2040-timestamped.der', vectorsTrust({ tsaAnchors: [] })), 'TIMESTAMP_INVALID');
    expectRejected(await verifyVector('ec-until-2040-timestamped.der', vectorsTrust({ now: new Date('2046-06-01T00:00:00Z') })), 'TIMESTAMP_INVALID');
    const rejection = expectRejected(await verifyVector('ec-untrusted-tsa.der'), 'TIMESTAMP_INVALID');
    assert.match(rejection.message, /Untrusted TSA/);
    const otherSignature = expectRejected(await verifyVector('ec-timestamp-other-signature.der'), 'TIMESTAMP_INVALID');
    assert.match(otherSignature.message, /message imprint/);
  });

  test('an untrusted TSA is accepted once its root is a TSA anchor', async () => {
    const trust = vectorsTrust({ tsaAnchors: [readPemVector('untrusted-tsa-root-ca.pem')] });
    assert.equal(expectVerified(await verifyVector('ec-untrusted-tsa.der', trust)).timestamp?.tsa, 'CN=Untrusted TSA,O=Somebody Else,C=DE');
  });
});

describe('verifySignedEvidence: encrypted evidence', () => {
  test('RSAES-OAEP key transport and ECDH key agreement decrypt to the inner signature', async () => {
    const oaep = expectVerified(await verifyVector('enveloped-rsa-oaep.der', vectorsTrust({ decryption: platformEvidenceKey('rsa') })));
    assert.equal(oaep.encrypted, true);
    assert.deepEqual(Buffer.from(oaep.content), readVector('erasure-report.json'));
    const ecdh = expectVerified(await verifyVector('enveloped-ecdh.der', vectorsTrust({ decryption: platformEvidenceKey('ec') })));
    assert.equal(ecdh.encrypted, true);
    assert.equal(ecdh.signers[0]!.signatureAlgorithm, 'RSA-PKCS1-SHA256');
  });

  test('another recipient, a wrong key, no key or a corrupted envelope: DECRYPT_FAILED', async () => {
    expectRejected(await verifyVector('enveloped-rsa-oaep.der', vectorsTrust({ decryption: platformEvidenceKey('ec') })), 'DECRYPT_FAILED');
    expectRejected(await verifyVector('enveloped-ecdh.der', vectorsTrust({ decryption: platformEvidenceKey('rsa') })), 'DECRYPT_FAILED');
    const { privateKey: otherRsaKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongKey = { privateKey: otherRsaKey, certificate: platformEvidenceKey('rsa').certificate };
    expectRejected(await verifyVector('enveloped-rsa-oaep.der', vectorsTrust({ decryption: wrongKey })), 'DECRYPT_FAILED');
    const { privateKey: otherEcKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectRejected(await verifyVector('enveloped-ecdh.der', vectorsTrust({ decryption: { privateKey: otherEcKey, certificate: platformEvidenceKey('ec').certificate } })), 'DECRYPT_FAILED');
    const withoutKey = vectorsTrust();
    delete withoutKey.decryption;
    expectRejected(await verifyVector('enveloped-rsa-oaep.der', withoutKey), 'DECRYPT_FAILED');
    // The last byte is in the last ciphertext block: the CBC padding no longer checks out.
    expectRejected(await verifySignedEvidence({ der: withLastByteFlipped(readVector('enveloped-rsa-oaep.der')) }, vectorsTrust()), 'DECRYPT_FAILED');
  });

  test('RSA PKCS#1 v1.5 key transport and AuthEnvelopedData are refused as unsupported', async () => {
    expectRejected(await verifyVector('enveloped-rsa-pkcs1v15.der'), 'UNSUPPORTED_ALGORITHM');
    const authEnveloped = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: OID.authEnvelopedData }),
        new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Sequence()] }),
      ],
    });
    expectRejected(await verifySignedEvidence({ der: new Uint8Array(authEnveloped.toBER()) }, vectorsTrust()), 'UNSUPPORTED_ALGORITHM');
  });
});

describe('verifySignedEvidence: bad input never throws', () => {
  test('size limits', async () => {
    expectRejected(await verifySignedEvidence({ der: new Uint8Array(EVIDENCE_LIMITS.maxDerBytes + 1) }, vectorsTrust()), 'LIMIT_EXCEEDED');
    const tooMuchContent = new Uint8Array(EVIDENCE_LIMITS.maxDetachedContentBytes + 1);
    expectRejected(await verifySignedEvidence({ der: readVector('ec-detached.der'), detachedContent: tooMuchContent }, vectorsTrust()), 'LIMIT_EXCEEDED');
  });

  test('not DER, truncated, empty, deeply nested', async () => {
    const vector = readVector('ec-embedded.der');
    for (const der of [Buffer.from('not DER at all'), vector.subarray(0, vector.length - 10), new Uint8Array(0), deeplyNested(100_000)]) {
      expectRejected(await verifySignedEvidence({ der }, vectorsTrust()), 'MALFORMED_CMS');
    }
  });

  test('values that are not bytes, and a trust without a valid time', async () => {
    expectRejected(await verifySignedEvidence({ der: 'MIIB' as unknown as Uint8Array }, vectorsTrust()), 'MALFORMED_CMS');
    expectRejected(await verifySignedEvidence(null as unknown as { der: Uint8Array }, vectorsTrust()), 'MALFORMED_CMS');
    expectRejected(await verifyVector('ec-embedded.der', vectorsTrust({ now: new Date(Number.NaN) })), 'CHAIN_UNTRUSTED');
  });
});
