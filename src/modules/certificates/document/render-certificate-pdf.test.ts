/**
 * The certificate PDF as others see it: its PAdES signature checked by OpenSSL (an implementation
 * that shares nothing with ours), its visible text, its attachments, its signing certificate.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { pageText } from '#test/support/pdf-page-text.ts';
import { certificateBody, issueCertificate, VERIFY_URL } from '#test/support/certificates.ts';
import { canonicalize } from '#platform/canonical-json.ts';
import { createPdfSigningCertificate } from './create-pdf-signing-certificate.ts';
import { readPdfAttachments } from './read-pdf-attachments.ts';
import { renderCertificatePdf } from './render-certificate-pdf.ts';
import { signCertificate } from './sign-certificate.ts';

const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-certificate-pdf-'));
after(() => rm(scratch, { recursive: true, force: true }));

/** The test's own reading of a signed PDF: the last /ByteRange, the bytes it covers, the /Contents it leaves out. */
function splitSignedPdf(pdf: Uint8Array): { range: number[]; covered: Buffer; contents: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const match = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(text.lastIndexOf('/ByteRange')));
  assert.ok(match, 'a /ByteRange');
  const range = match.slice(1).map(Number);
  const [a, b, c, d] = range as [number, number, number, number];
  const covered = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  return { range, covered, contents: Buffer.from(text.slice(b + 1, c - 1), 'hex') };
}

async function opensslVerify(pdf: Uint8Array, certificatePem: string): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(path.join(scratch, 'openssl-'));
  const { covered, contents } = splitSignedPdf(pdf);
  await Promise.all([
    writeFile(path.join(dir, 'signed-bytes.bin'), covered),
    writeFile(path.join(dir, 'sig.der'), contents),
    writeFile(path.join(dir, 'platform-cert.pem'), certificatePem),
  ]);
  const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'sig.der', '-content', 'signed-bytes.bin', '-CAfile', 'platform-cert.pem', '-purpose', 'any', '-out', '/dev/null'];
  return new Promise((resolve) => {
    execFile('openssl', args, { cwd: dir }, (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}` }));
  });
}

test('OpenSSL verifies the PDF signature over the ByteRange against the platform certificate, and fails once a covered byte changes', async () => {
  const { pdf, pdfKey } = await issueCertificate();
  const { range } = splitSignedPdf(pdf);
  assert.equal(range[0], 0);
  assert.equal(range[2]! + range[3]!, pdf.length, 'the signature covers the whole file but its /Contents');
  const good = await opensslVerify(pdf, pdfKey.certificatePem);
  assert.ok(good.ok, good.output);
  assert.match(good.output, /Verification successful/);

  for (const offset of [Math.floor(range[1]! / 2), range[2]! + Math.floor(range[3]! / 2)]) {
    const tampered = Uint8Array.from(pdf);
    tampered[offset]! ^= 0x01;
    const result = await opensslVerify(tampered, pdfKey.certificatePem);
    assert.equal(result.ok, false, `byte ${offset} flipped: ${result.output}`);
    assert.match(result.output, /digest failure|Verification failure/i);
  }

  const stranger = await issueCertificate();
  const untrusted = await opensslVerify(pdf, stranger.pdfKey.certificatePem);
  assert.equal(untrusted.ok, false, 'another certificate as trust anchor');
});

test('the signature is PAdES: ETSI.CAdES.detached, ESS signing-certificate-v2, no signing-time attribute, /M in the dictionary', async () => {
  const { pdf, pdfKey } = await issueCertificate();
  const text = Buffer.from(pdf).toString('latin1');
  assert.match(text, /\/SubFilter \/ETSI\.CAdES\.detached/);
  assert.match(text, /\/M \(D:20250601102031Z\)/);
  assert.match(text, /\/Name \(Veridity certificate signing\)/);
  const { contents } = splitSignedPdf(pdf);
  const der = contents.toString('hex');
  const oidHex = (bytes: number[]) => Buffer.from([0x06, bytes.length, ...bytes]).toString('hex');
  assert.ok(der.includes(oidHex([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f])), 'id-aa-signingCertificateV2');
  assert.ok(!der.includes(oidHex([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05])), 'no id-signingTime: PAdES baseline forbids it');
  assert.ok(der.includes(Buffer.from(pdfKey.certificateDer).toString('hex')), 'the signer certificate is embedded');
});

test('the page shows the status, the summary, the ledger index and the verify URL; the attachments are the signed certificate', async () => {
  const { pdf, body, jws, receipt } = await issueCertificate();
  const shown = await pageText(pdf);
  for (const expected of ['Evidence certificate', 'VALID', body.public_id, '2025-06-01 10:20:30 UTC', 'Acme Erasure GmbH', '5f3c9a1e 8b7d6c2a 4f0e9d8c 7b6a5f4e 3d2c1b0a 9f8e7d6c 5b4a3928 1706f5e4', 'erasure-report/v1', 'ssd, Samsung, 870 EVO', '500107862016 bytes (500.1 GB)', 'purge (NIST SP 800-88 Rev. 1)', 'success', 'CN=Erasure station 12,O=Acme Erasure GmbH', 'CN=Test TSA', 'embedded as receipt.txt']) {
    assert.ok(shown.includes(expected), `shows ${expected}`);
  }
  assert.match(shown, /^5$/m, 'the ledger index');
  assert.ok(shown.replace(/\n/g, '').includes(VERIFY_URL), 'the URL under the QR code');

  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  assert.equal(doc.getPageCount(), 1);
  assert.deepEqual(doc.getPages()[0]!.getSize(), { width: 595.28, height: 841.89 });
  assert.equal(doc.getProducer(), 'Veridity');
  assert.equal(doc.getCreationDate()?.toISOString(), '2025-06-01T10:20:30.000Z');
  assert.equal(doc.getKeywords(), 'veridity-evidence-certificate/v1 status:valid');
  const attachments = await readPdfAttachments(pdf, ['certificate.json', 'certificate.jws', 'receipt.txt']);
  assert.ok(attachments.ok);
  assert.deepEqual(
    Object.fromEntries([...attachments.files].map(([name, bytes]) => [name, Buffer.from(bytes).toString('utf8')])),
    { 'certificate.json': canonicalize(body), 'certificate.jws': jws, 'receipt.txt': receipt },
  );
});

test('a revoked certificate renders REVOKED; a pending one says so; an emoji subject is drawn with replacements, kept exact in the JSON', async () => {
  const revoked = await issueCertificate({ status: 'revoked' });
  const revokedText = await pageText(revoked.pdf);
  assert.ok(revokedText.includes('REVOKED'));
  assert.ok(!revokedText.includes('VALID\n'));

  const subject = 'Zoë 🚀 Ünïcødé Łódź ő Ltd\u0007';
  const body = certificateBody({ subject: { display_name: subject }, report: null, timestamp: null });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pdfKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const certificateDer = createPdfSigningCertificate(pdfKey, { commonName: 'Veridity certificate signing', notBefore: new Date('2025-01-01Z'), notAfter: new Date('2026-01-01Z') });
  const pdf = await renderCertificatePdf(
    { body, jws: signCertificate(body, { id: 'k', privateKey }), receipt: null, ledgerIndex: null, verifyUrl: VERIFY_URL, status: 'valid', anchor: null },
    { privateKey: pdfKey, certificateChainDer: [certificateDer] },
  );
  const shown = await pageText(pdf);
  assert.ok(shown.includes('Zoë ? Ünïcødé Lódz o Ltd '), shown);
  assert.ok(shown.includes('pending'));
  assert.ok(shown.includes('not yet available'));
  assert.ok(!shown.includes('Erasure report'));
  const attachments = await readPdfAttachments(pdf, ['certificate.json', 'receipt.txt']);
  assert.ok(attachments.ok);
  assert.equal(Buffer.from(attachments.files.get('certificate.json')!).toString('utf8'), canonicalize(body), 'the exact subject, emoji and all');
  assert.equal(attachments.files.has('receipt.txt'), false);
});

test('apart from the signature the PDF is a function of its input', async () => {
  const fixture = await issueCertificate();
  const render = () =>
    renderCertificatePdf(
      { body: fixture.body, jws: fixture.jws, receipt: fixture.receipt, ledgerIndex: fixture.ledgerIndex, verifyUrl: VERIFY_URL, status: 'valid', anchor: null },
      { privateKey: fixture.pdfKey.privateKey, certificateChainDer: [fixture.pdfKey.certificateDer], signingTime: new Date('2025-06-01T10:20:31Z') },
    );
  const [first, second] = [await render(), await render()];
  assert.equal(first.length, second.length);
  assert.deepEqual(splitSignedPdf(first).covered, splitSignedPdf(second).covered);
  assert.notDeepEqual(splitSignedPdf(first).contents, splitSignedPdf(second).contents, 'ECDSA signatures are randomised');
});

test('the PDF signing certificate: self-signed, CN as given, not a CA, for digital signatures; only for a P-256 key', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = createPdfSigningCertificate(privateKey, { commonName: 'Veridity certificate signing', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2055-01-01T00:00:00Z') });
  const certificate = new X509Certificate(der);
  assert.equal(certificate.subject, 'CN=Veridity certificate signing');
  assert.equal(certificate.issuer, certificate.subject);
  assert.equal(certificate.ca, false);
  assert.ok(certificate.verify(publicKey), 'self-signed');
  assert.ok(certificate.checkPrivateKey(privateKey));
  assert.equal(new Date(certificate.validFrom).toISOString(), '2025-01-01T00:00:00.000Z');
  assert.equal(new Date(certificate.validTo).toISOString(), '2055-01-01T00:00:00.000Z', 'GeneralizedTime after 2049');
  assert.equal(certificate.serialNumber.length, 32, '128-bit serial');
  assert.throws(() => createPdfSigningCertificate(generateKeyPairSync('ed25519').privateKey, { commonName: 'x', notBefore: new Date(0), notAfter: new Date(1) }), TypeError);
  assert.throws(() => createPdfSigningCertificate(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, { commonName: 'x', notBefore: new Date(0), notAfter: new Date(1) }), TypeError);
  assert.throws(() => createPdfSigningCertificate(privateKey, { commonName: 'x', notBefore: new Date(1), notAfter: new Date(0) }), RangeError);
});
