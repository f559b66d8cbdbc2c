import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { EVIDENCE_LIMITS } from './limits.ts';
import { inspectTrustAnchor, type TrustAnchorInspection } from './inspect-trust-anchor.ts';
import { deeplyNested, readPemVector, readVector, VECTORS_VERIFY_AT } from './test-vectors.ts';

function inspectOne(bytes: Uint8Array, now = VECTORS_VERIFY_AT): TrustAnchorInspection {
  const results = inspectTrustAnchor(bytes, now);
  assert.equal(results.length, 1);
  return results[0]!;
}

function refusal(result: TrustAnchorInspection): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? '' : result.reason;
}

describe('inspectTrustAnchor', () => {
  test('a PEM bundle: root, intermediate and CRL, in order, with what Node reads from them', () => {
    const bundle = Buffer.concat(['ec-root-ca.pem', 'ec-intermediate-ca.pem', 'ec-intermediate-ca.crl.pem'].map((name) => readVector(name)));
    const [root, intermediate, crl] = inspectTrustAnchor(bundle, VECTORS_VERIFY_AT);
    assert.ok(root?.ok && root.kind === 'certificate');
    assert.ok(intermediate?.ok && intermediate.kind === 'certificate');
    assert.ok(crl?.ok && crl.kind === 'crl');
    const node = new X509Certificate(readVector('ec-root-ca.pem'));
    assert.equal(root.subject, 'CN=Veridity Test EC Root CA,O=Veridity Test,C=DE');
    assert.equal(root.serialNumber, node.serialNumber.toLowerCase().replace(/^0+/, ''));
    assert.equal(root.sha256Fingerprint, node.fingerprint256.replaceAll(':', '').toLowerCase());
    assert.equal(root.notAfter, '2046-01-01T00:00:00.000Z');
    assert.deepEqual(Buffer.from(root.der), readPemVector('ec-root-ca.pem'));
    assert.equal(root.selfSigned, true);
    assert.equal(intermediate.selfSigned, false);
    assert.equal(intermediate.issuer, root.subject);
    assert.equal(crl.issuer, intermediate.subject);
    assert.equal(crl.thisUpdate, '2026-11-01T00:00:00.000Z');
    assert.equal(crl.nextUpdate, '2046-01-01T00:00:00.000Z');
  });

  test('DER certificate and DER CRL', () => {
    const certificate = inspectOne(readPemVector('rsa-root-ca.pem'));
    assert.ok(certificate.ok && certificate.kind === 'certificate' && certificate.selfSigned);
    const crl = inspectOne(readPemVector('ec-root-ca.crl.pem'));
    assert.ok(crl.ok && crl.kind === 'crl');
  });

  test('refusals: end-entity, expired, not yet valid, RSA 1024', () => {
    assert.equal(refusal(inspectOne(readVector('signer-ec.pem'))), 'NOT_A_CA');
    assert.equal(refusal(inspectOne(readVector('tsa.pem'))), 'NOT_A_CA');
    assert.equal(refusal(inspectOne(readVector('expired-ca.pem'))), 'EXPIRED');
    assert.equal(refusal(inspectOne(readVector('ec-root-ca.pem'), new Date('2024-06-01T00:00:00Z'))), 'NOT_YET_VALID');
    assert.equal(refusal(inspectOne(readVector('weak-rsa1024-ca.pem'))), 'WEAK_KEY');
  });

  test('a refusal in a bundle does not hide the others', () => {
    const bundle = Buffer.concat([readVector('signer-ec.pem'), readVector('tsa-root-ca.pem')]);
    const results = inspectTrustAnchor(bundle, VECTORS_VERIFY_AT);
    assert.deepEqual(results.map((result) => (result.ok ? result.kind : result.reason)), ['NOT_A_CA', 'certificate']);
    const [leaf] = results;
    assert.ok(leaf && !leaf.ok && leaf.subject === 'CN=Signer EC P-256,OU=Erasure station 1,O=Veridity Test,C=DE');
  });

  test('unparsable: garbage, truncated, a private key, broken base64, deep nesting', () => {
    const root = readVector('ec-root-ca.pem').toString();
    const inputs = [
      Buffer.from('garbage'),
      new Uint8Array(0),
      readPemVector('ec-root-ca.pem').subarray(0, 100),
      readVector('platform-evidence-ec.TEST-KEY.pem'),
      Buffer.from(root.replace(/[A-Za-z]{10}\n/, '!!!!!!!!!!\n')),
      Buffer.from(root.slice(0, root.indexOf('-----END'))),
      deeplyNested(5000),
    ];
    for (const input of inputs) assert.equal(refusal(inspectOne(input)), 'UNPARSABLE');
    assert.ok(!inspectOne(readVector('platform-evidence-ec.TEST-KEY.pem')).ok);
    const privateKeyMessage = inspectOne(readVector('platform-evidence-ec.TEST-KEY.pem'));
    assert.ok(!privateKeyMessage.ok && !privateKeyMessage.message.includes(readVector('platform-evidence-ec.TEST-KEY.pem').toString().split('\n')[1]!));
  });

  test('limits', () => {
    const tooMany = Buffer.concat(Array.from({ length: EVIDENCE_LIMITS.maxBundleItems + 1 }, () => readVector('ec-root-ca.pem')));
    assert.equal(refusal(inspectOne(tooMany)), 'LIMIT_EXCEEDED');
    assert.equal(refusal(inspectOne(new Uint8Array(EVIDENCE_LIMITS.maxDerBytes + 1))), 'LIMIT_EXCEEDED');
    assert.equal(refusal(inspectOne('not bytes' as unknown as Uint8Array)), 'UNPARSABLE');
  });
});
