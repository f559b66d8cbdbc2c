/**
 * `veridity verify-certificate` as a user runs it: a child process with no database, no
 * configuration and no network in its environment, on certificates made with real keys.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { CertificateKeys } from '#modules/certificates/schema.ts';
import { certificateBody, issueCertificate } from './support/certificates.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';

const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-verify-certificate-'));
after(() => rm(scratch, { recursive: true, force: true }));
const env = cleanEnv({ VERIDITY_DATA_DIR: path.join(scratch, 'no-data') });

const fixture = await issueCertificate();
const file = (name: string) => path.join(scratch, name);
await Promise.all([
  writeFile(file('certificate.pdf'), fixture.pdf),
  writeFile(file('certificates-key.pem'), fixture.certificateKey.publicKey.export({ format: 'pem', type: 'spki' })),
  writeFile(file('jwks.json'), JSON.stringify({ keys: [{ ...fixture.certificateKey.publicKey.export({ format: 'jwk' }), kid: fixture.certificateKey.id, use: 'sig' }] })),
  writeFile(file('pdf-signing.pem'), fixture.pdfKey.certificatePem),
  writeFile(file('certificate.json'), JSON.stringify({ certificate: fixture.body, jws: fixture.jws, receipt: fixture.receipt }, null, 2)),
]);
const ledgerKey = fixture.ledgerKey.verifierKey;

function verify(target: string, ...options: string[]) {
  return runToEnd(['verify-certificate', target, ...options], env);
}

test('a genuine PDF passes every check, offline; so does its certificate.json', async () => {
  const pdf = await verify(file('certificate.pdf'), '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey, '--pdf-cert', file('pdf-signing.pem'));
  assert.equal(pdf.code, 0, pdf.output);
  for (const check of ['pdf_signature', 'certificate_signature', 'ledger_receipt', 'not_revoked']) assert.match(pdf.stdout, new RegExp(`^  ${check} +pass `, 'm'));
  assert.match(pdf.stdout, /signed by Veridity certificate signing, a --pdf-cert certificate/);
  assert.match(pdf.stdout, new RegExp(`entry 5 of ${fixture.ledgerKey.verifierKey.split('+')[0]}`));
  assert.match(pdf.stdout, new RegExp(`certificate ${fixture.body.public_id}, issued ${fixture.body.issued_at}`));

  const json = await verify(file('certificate.json'), '--key', file('jwks.json'), '--ledger-key', ledgerKey, '--json');
  assert.equal(json.code, 0, json.output);
  const report = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.deepEqual(report.checks, { pdf_signature: 'not_checked', certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'not_applicable', not_revoked: 'not_checked' });
  assert.deepEqual(report.certificate, fixture.body);
  assert.equal(report.ok, true);
});

test('the keys document the platform publishes pins both: --key and --pdf-cert take the one file', async () => {
  const published: CertificateKeys = {
    keys: [{ kty: 'OKP', crv: 'Ed25519', x: fixture.certificateKey.publicKey.export({ format: 'jwk' }).x!, kid: fixture.certificateKey.id, alg: 'EdDSA', use: 'sig' }],
    pdf_signing_certificates: [{ kid: 'pdf-1', alg: 'ES256', x5c: [Buffer.from(fixture.pdfKey.certificateDer).toString('base64')], pem: fixture.pdfKey.certificatePem, sha256_fingerprint: 'unused' }],
  };
  await writeFile(file('certificate-keys.json'), JSON.stringify(published));
  const pinned = await verify(file('certificate.pdf'), '--key', file('certificate-keys.json'), '--ledger-key', ledgerKey, '--pdf-cert', file('certificate-keys.json'));
  assert.equal(pinned.code, 0, pinned.output);
  assert.match(pinned.stdout, /^  pdf_signature +pass +signed by Veridity certificate signing, a --pdf-cert certificate/m);

  const stranger = await issueCertificate();
  await writeFile(file('stranger-keys.json'), JSON.stringify({ ...published, pdf_signing_certificates: [{ ...published.pdf_signing_certificates[0]!, pem: stranger.pdfKey.certificatePem }] }));
  const foreign = await verify(file('certificate.pdf'), '--key', file('certificate-keys.json'), '--ledger-key', ledgerKey, '--pdf-cert', file('stranger-keys.json'));
  assert.match(foreign.output, /certificate INVALID: pdf_signature failed: UNTRUSTED_SIGNER/);
});

test('a tampered PDF, a foreign key, a revoked certificate: exit 1 naming the first failed check', async () => {
  const tampered = Buffer.from(fixture.pdf);
  tampered[tampered.indexOf('/Title') + 1]! ^= 0x01;
  await writeFile(file('tampered.pdf'), tampered);
  const changed = await verify(file('tampered.pdf'), '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey);
  assert.equal(changed.code, 1, changed.output);
  assert.match(changed.output, /veridity: certificate INVALID: pdf_signature failed: DIGEST_MISMATCH/);
  assert.doesNotMatch(changed.output, /\n\s+at /, 'no stack trace');

  const stranger = await issueCertificate();
  await writeFile(file('stranger-key.pem'), stranger.certificateKey.publicKey.export({ format: 'pem', type: 'spki' }));
  const foreignKey = await verify(file('certificate.pdf'), '--key', file('stranger-key.pem'), '--ledger-key', ledgerKey);
  assert.equal(foreignKey.code, 1);
  assert.match(foreignKey.output, /certificate INVALID: certificate_signature failed: UNKNOWN_KEY/);
  const foreignPdfCert = await verify(file('certificate.pdf'), '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey, `--pdf-cert=${stranger.pdfKey.certificatePem}`);
  assert.match(foreignPdfCert.output, /certificate INVALID: pdf_signature failed: UNTRUSTED_SIGNER/);
  const foreignLedger = await verify(file('certificate.json'), '--key', file('certificates-key.pem'), '--ledger-key', stranger.ledgerKey.verifierKey);
  assert.match(foreignLedger.output, /certificate INVALID: ledger_receipt failed: UNKNOWN_KEY/);

  const revoked = await issueCertificate({ status: 'revoked', body: certificateBody() });
  await Promise.all([writeFile(file('revoked.pdf'), revoked.pdf), writeFile(file('revoked-key.pem'), revoked.certificateKey.publicKey.export({ format: 'pem', type: 'spki' }))]);
  const result = await verify(file('revoked.pdf'), '--key', file('revoked-key.pem'), '--ledger-key', revoked.ledgerKey.verifierKey, '--json');
  assert.equal(result.code, 1);
  assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'revoked');
  assert.match(result.output, /certificate INVALID: not_revoked failed: REVOKED/);
});

test('usage errors exit 2 with one line: missing file, missing keys, a key that is not one, an unreadable file', async () => {
  const cases: [string[], RegExp][] = [
    [['verify-certificate', '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey], /name one certificate file/],
    [['verify-certificate', file('certificate.pdf'), '--ledger-key', ledgerKey], /--key is required/],
    [['verify-certificate', file('certificate.pdf'), '--key', file('certificates-key.pem')], /--ledger-key is required/],
    [['verify-certificate', file('certificate.pdf'), '--key', file('pdf-signing.pem'), '--ledger-key', ledgerKey], /--key .*: not an Ed25519 public key/],
    [['verify-certificate', file('certificate.pdf'), '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey, '--pdf-cert', file('certificates-key.pem')], /--pdf-cert .*: neither a PEM X\.509 certificate nor the keys document with one/],
    [['verify-certificate', file('missing.pdf'), '--key', file('certificates-key.pem'), '--ledger-key', ledgerKey], /certificate .*missing\.pdf: cannot read/],
    [['verify-certificate', file('certificate.pdf'), '--frobnicate'], /unknown option --frobnicate/],
  ];
  const results = await Promise.all(cases.map(([args]) => runToEnd(args, env)));
  results.forEach((result, i) => {
    assert.equal(result.code, 2, result.output);
    assert.equal(result.output.trim().split('\n').length, 1, result.output);
    assert.match(result.output, cases[i]![1]);
  });
  const help = await runToEnd(['verify-certificate', '--help'], env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /certificate\.json +\{"certificate": \{\.\.\.\}, "jws": "<compact JWS>", "receipt"/);
});
