import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { certificateBody, certificateLeaf, generateCertificateKey, generatePdfSigningKey, issueCertificate, receiptFor, VERIFY_URL } from '#test/support/certificates.ts';
import { renderCertificatePdf } from './render-certificate-pdf.ts';
import { signCertificate } from './sign-certificate.ts';
import { type CertificatePdfTrust, verifyCertificatePdf } from './verify-certificate-pdf.ts';

const fixture = await issueCertificate();
const trust: CertificatePdfTrust = {
  certificateKeys: [fixture.certificateKey],
  ledgerKeys: [fixture.ledgerKey.verifierKey],
  pdfSigningCertificates: [fixture.pdfKey.certificateDer],
};
const signer = { privateKey: fixture.pdfKey.privateKey, certificateChainDer: [fixture.pdfKey.certificateDer] };
const pdfInput = { body: fixture.body, jws: fixture.jws, receipt: fixture.receipt, ledgerIndex: fixture.ledgerIndex, verifyUrl: VERIFY_URL, status: 'valid' as const, anchor: null };

test('a certificate PDF passes every check and yields the signed certificate, its receipt and where it sits in the ledger', async () => {
  const result = await verifyCertificatePdf(fixture.pdf, trust);
  assert.deepEqual(result.checks, { pdf_signature: 'pass', certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'not_applicable' });
  assert.deepEqual(result.failures, []);
  assert.equal(result.failure, undefined);
  assert.deepEqual(result.body, fixture.body);
  assert.equal(result.jws, fixture.jws);
  assert.equal(result.receipt, fixture.receipt);
  assert.equal(result.keyId, fixture.certificateKey.id);
  assert.deepEqual({ ...result.ledger, rootHash: undefined }, { index: 5, treeSize: 9, origin: fixture.ledgerKey.verifierKey.split('+')[0], rootHash: undefined });
  assert.match(result.ledger!.rootHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(result.pdfSigner, { name: 'Veridity certificate signing', trusted: true });
  assert.equal(result.status, 'valid');
});

test('who may sign the PDF: any signer when no certificate is pinned (integrity only), only a pinned one otherwise', async () => {
  const integrityOnly = await verifyCertificatePdf(fixture.pdf, { ...trust, pdfSigningCertificates: [] });
  assert.equal(integrityOnly.checks.pdf_signature, 'pass');
  assert.deepEqual(integrityOnly.pdfSigner, { name: 'Veridity certificate signing', trusted: false });

  const pinnedOther = await verifyCertificatePdf(fixture.pdf, { ...trust, pdfSigningCertificates: [generatePdfSigningKey().certificateDer] });
  assert.equal(pinnedOther.checks.pdf_signature, 'fail');
  assert.equal(pinnedOther.failure?.code, 'UNTRUSTED_SIGNER');
  assert.equal(pinnedOther.checks.certificate_signature, 'pass', 'the other checks still run');
});

test('a PDF whose certificate.json is not what its JWS signs fails certificate_signature, even though the platform signed the PDF', async () => {
  const tamperedBody = certificateBody({ report: { ...fixture.body.report!, result: 'failed' } });
  const pdf = await renderCertificatePdf({ ...pdfInput, body: tamperedBody }, signer);
  const result = await verifyCertificatePdf(pdf, trust);
  assert.equal(result.checks.pdf_signature, 'pass');
  assert.equal(result.checks.certificate_signature, 'fail');
  assert.deepEqual(result.failure, { check: 'certificate_signature', code: 'CERTIFICATE_MISMATCH', message: 'the certificate shown beside the JWS is not the one it signs' });
  assert.equal(result.body, undefined, 'no body is vouched for');
  assert.equal(result.checks.ledger_receipt, 'fail');

  const [header, , signature] = fixture.jws.split('.');
  const forgedJws = `${header}.${Buffer.from(JSON.stringify(tamperedBody)).toString('base64url')}.${signature}`;
  const forged = await verifyCertificatePdf(await renderCertificatePdf({ ...pdfInput, body: tamperedBody, jws: forgedJws }, signer), trust);
  assert.equal(forged.failure?.code, 'BAD_SIGNATURE');
  assert.equal(forged.failure?.check, 'certificate_signature');
});

test('a certificate signed by an unknown key, a receipt for another entry, a missing receipt', async () => {
  const stranger = await verifyCertificatePdf(fixture.pdf, { ...trust, certificateKeys: [generateCertificateKey()] });
  assert.deepEqual(stranger.checks, { pdf_signature: 'pass', certificate_signature: 'fail', ledger_receipt: 'fail', anchor: 'not_applicable' });
  assert.equal(stranger.failure?.code, 'UNKNOWN_KEY');
  assert.deepEqual(stranger.failures.map((failure) => failure.code), ['UNKNOWN_KEY', 'NO_CERTIFICATE']);

  const otherEntry = await receiptFor(certificateLeaf(certificateBody({ ledger: { kind: 'certificate', public_id: 'someoneelse0000000000000000000' } })), fixture.ledgerKey);
  const mismatched = await verifyCertificatePdf(await renderCertificatePdf({ ...pdfInput, receipt: otherEntry.receipt }, signer), trust);
  assert.deepEqual(mismatched.checks, { pdf_signature: 'pass', certificate_signature: 'pass', ledger_receipt: 'fail', anchor: 'not_applicable' });
  assert.equal(mismatched.failure?.code, 'ENTRY_MISMATCH');

  const revocationEntry = await receiptFor(certificateLeaf(fixture.body, { kind: 'certificate_revocation' }), fixture.ledgerKey);
  const wrongKind = await verifyCertificatePdf(await renderCertificatePdf({ ...pdfInput, receipt: revocationEntry.receipt }, signer), trust);
  assert.equal(wrongKind.failure?.code, 'ENTRY_MISMATCH');

  const pending = await renderCertificatePdf({ ...pdfInput, receipt: null, ledgerIndex: null }, signer);
  assert.equal((await verifyCertificatePdf(pending, trust)).failure?.code, 'RECEIPT_MISSING');
  assert.deepEqual((await verifyCertificatePdf(pending, { ...trust, ledgerKeys: undefined })).checks, { pdf_signature: 'pass', certificate_signature: 'pass', ledger_receipt: 'not_checked', anchor: 'not_applicable' });

  const wrongLedgerKey = await verifyCertificatePdf(fixture.pdf, { ...trust, ledgerKeys: [(await issueCertificate()).ledgerKey.verifierKey] });
  assert.equal(wrongLedgerKey.failure?.code, 'UNKNOWN_KEY');
  assert.equal(wrongLedgerKey.failure?.check, 'ledger_receipt');
});

test('a revoked certificate PDF verifies and says revoked', async () => {
  const revoked = await renderCertificatePdf({ ...pdfInput, status: 'revoked' }, signer);
  const result = await verifyCertificatePdf(revoked, trust);
  assert.equal(result.failure, undefined);
  assert.equal(result.status, 'revoked');
});

test('changed, extended, truncated or unsigned PDFs fail pdf_signature with the reason', async () => {
  const codeOf = async (pdf: Uint8Array) => (await verifyCertificatePdf(pdf, trust)).failures.find((failure) => failure.check === 'pdf_signature')?.code;
  const text = Buffer.from(fixture.pdf).toString('latin1');
  const flipped = Uint8Array.from(fixture.pdf);
  flipped[text.indexOf('/Producer')]! ^= 0x20;
  assert.equal(await codeOf(flipped), 'DIGEST_MISMATCH');
  assert.equal(await codeOf(Buffer.concat([fixture.pdf, Buffer.from('\n% appended\n')])), 'BYTE_RANGE_INVALID');
  assert.equal(await codeOf(fixture.pdf.subarray(0, fixture.pdf.length - 10)), 'BYTE_RANGE_INVALID');

  const contentsAt = text.lastIndexOf('/Contents <') + '/Contents <'.length;
  const badSignature = Uint8Array.from(fixture.pdf);
  const signatureValueAt = text.indexOf('>', contentsAt) - 1;
  badSignature[signatureValueAt] = badSignature[signatureValueAt] === 0x30 ? 0x31 : 0x30; // in the zero padding
  assert.equal(await codeOf(badSignature), 'MALFORMED_SIGNATURE');
  const notHex = Uint8Array.from(fixture.pdf);
  notHex[contentsAt + 10] = 0x7a;
  assert.equal(await codeOf(notHex), 'BYTE_RANGE_INVALID');

  const unsigned = await PDFDocument.create();
  unsigned.addPage();
  assert.equal(await codeOf(await unsigned.save()), 'NO_SIGNATURE');
});

test('garbage and mutations never throw; any change to the covered bytes fails', async () => {
  const inputs: Uint8Array[] = [
    new Uint8Array(),
    randomBytes(4096),
    Buffer.from('%PDF-1.7\n%%EOF\n'),
    Buffer.from('%PDF-1.7\n/ByteRange [0 10 20 5] /Contents <00>'),
    Buffer.from(`%PDF-1.7\n/ByteRange [0 99999999999 1 1]`),
    Buffer.from(`%PDF-1.7\n${'['.repeat(100_000)}`),
    'not bytes' as unknown as Uint8Array,
    new Uint8Array(17 * 1024 * 1024),
  ];
  for (const input of inputs) {
    const result = await verifyCertificatePdf(input, trust);
    assert.equal(result.checks.pdf_signature, 'fail');
    assert.equal(result.checks.certificate_signature, 'fail');
    assert.ok(result.failure);
  }
  assert.equal((await verifyCertificatePdf(randomBytes(100), trust)).failure?.code, 'MALFORMED_PDF');

  const { range } = (() => {
    const text = Buffer.from(fixture.pdf).toString('latin1');
    const match = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/.exec(text.slice(text.lastIndexOf('/ByteRange')))!;
    return { range: match.slice(1).map(Number) as [number, number, number, number] };
  })();
  for (let i = 0; i < 150; i++) {
    const mutated = Uint8Array.from(fixture.pdf);
    const inGap = (offset: number) => offset >= range[1] && offset < range[2];
    let offset = randomBytes(4).readUInt32BE() % mutated.length;
    while (inGap(offset)) offset = randomBytes(4).readUInt32BE() % mutated.length;
    mutated[offset] = (mutated[offset]! + 1 + (randomBytes(1)[0]! % 255)) % 256;
    const result = await verifyCertificatePdf(mutated, trust);
    assert.equal(result.checks.pdf_signature, 'fail', `byte ${offset} changed`);
  }
});

test('a JWS made for another body than the PDF shows, by the right key, still fails: the PDF carries what the JWS signs', async () => {
  const otherJws = signCertificate(certificateBody({ public_id: 'another00000000000000000000000' }), fixture.certificateKey);
  const pdf = await renderCertificatePdf({ ...pdfInput, jws: otherJws }, signer);
  assert.equal((await verifyCertificatePdf(pdf, trust)).failure?.code, 'CERTIFICATE_MISMATCH');
});
