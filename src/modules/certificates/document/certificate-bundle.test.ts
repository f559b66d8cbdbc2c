import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certificateBody, issueCertificate } from '#test/support/certificates.ts';
import { type CertificateBundle, parseCertificateBundle, verifyCertificateBundle } from './certificate-bundle.ts';

const fixture = await issueCertificate();
const trust = { certificateKeys: [fixture.certificateKey], ledgerKeys: [fixture.ledgerKey.verifierKey] };
const bundle: CertificateBundle = { certificate: fixture.body, jws: fixture.jws, receipt: fixture.receipt };

test('a bundle ({certificate, jws, receipt}) passes; the bare JWS passes its signature and lacks a receipt', () => {
  const result = verifyCertificateBundle(JSON.stringify(bundle, null, 2), trust);
  assert.deepEqual(result.checks, { certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'not_applicable' });
  assert.deepEqual(result.body, fixture.body);
  assert.equal(result.ledger?.index, 5);

  const bare = verifyCertificateBundle(Buffer.from(`${fixture.jws}\n`), trust);
  assert.deepEqual(bare.checks, { certificate_signature: 'pass', ledger_receipt: 'fail', anchor: 'not_applicable' });
  assert.equal(bare.failure?.code, 'RECEIPT_MISSING');
  assert.deepEqual(verifyCertificateBundle(fixture.jws, { certificateKeys: trust.certificateKeys }).checks, { certificate_signature: 'pass', ledger_receipt: 'not_checked', anchor: 'not_applicable' });
  assert.deepEqual(verifyCertificateBundle(JSON.stringify({ jws: fixture.jws, receipt: null }), { certificateKeys: trust.certificateKeys }).failures, []);
});

test('a bundle whose certificate differs from what the JWS signs fails, whatever its key order', () => {
  const reordered = JSON.stringify({ receipt: fixture.receipt, jws: fixture.jws, certificate: Object.fromEntries(Object.entries(fixture.body).reverse()) });
  assert.equal(verifyCertificateBundle(reordered, trust).failure, undefined, 'key order is not a difference');
  const changed = { ...bundle, certificate: certificateBody({ subject: { display_name: 'Someone else' } }) };
  assert.equal(verifyCertificateBundle(JSON.stringify(changed), trust).failure?.code, 'CERTIFICATE_MISMATCH');
});

test('what is not a bundle is refused with a reason, never a throw', () => {
  const cases: [string, RegExp][] = [
    ['{', /not JSON/],
    ['not a jws', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ certificate: fixture.body }), /no "jws" string/],
    [JSON.stringify({ jws: fixture.jws, receipt: 42 }), /"receipt" must be/],
    [JSON.stringify(fixture.body), /a certificate body without its signature/],
    ['{"jws":"a.b.c","certificate":"\\ud800"}', /not canonical JSON material/],
    ['x'.repeat(300_000), /larger than/],
  ];
  for (const [input, message] of cases) {
    const parsed = parseCertificateBundle(input);
    assert.equal(parsed.ok, false, input.slice(0, 40));
    assert.match(parsed.ok ? '' : parsed.message, message);
    const result = verifyCertificateBundle(input, trust);
    assert.deepEqual(result.checks, { certificate_signature: 'fail', ledger_receipt: 'fail', anchor: 'not_checked' });
    assert.equal(result.failure?.code, 'MALFORMED_BUNDLE');
  }
  assert.equal(verifyCertificateBundle('not a jws', trust).failure?.code, 'MALFORMED_BUNDLE');
  assert.equal(verifyCertificateBundle('e30.e30.e30', trust).failure?.code, 'MALFORMED', 'shaped like a JWS: the JWS check says what is wrong');
});
