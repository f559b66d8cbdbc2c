import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { readContentInfoHeader } from './read-content-info-header.ts';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
let dir: string;
const file = (name: string) => path.join(dir, name);

/** Real CMS from openssl: a self-signed signer, the document signed (DER and streamed BER), encrypted, and plain id-data. */
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veridity-cms-header-'));
  await writeFile(file('report.json'), '{"schema":"erasure-report/v1"}');
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=station', '-days', '1', '-keyout', file('key.pem'), '-out', file('cert.pem'));
  const sign = ['cms', '-sign', '-binary', '-nodetach', '-in', file('report.json'), '-signer', file('cert.pem'), '-inkey', file('key.pem'), '-outform', 'DER'];
  await openssl(...sign, '-out', file('signed.der'));
  await openssl(...sign, '-stream', '-out', file('streamed.ber'));
  await openssl('cms', '-encrypt', '-binary', '-aes-256-cbc', '-in', file('report.json'), '-outform', 'DER', '-out', file('enveloped.der'), '-recip', file('cert.pem'));
  await openssl('cms', '-data_create', '-binary', '-in', file('report.json'), '-outform', 'DER', '-out', file('data.der'));
  await openssl('x509', '-in', file('cert.pem'), '-outform', 'DER', '-out', file('cert.der'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('SignedData (DER, and BER streamed with indefinite lengths) and EnvelopedData pass the door', async () => {
  assert.deepEqual(readContentInfoHeader(await readFile(file('signed.der'))), { ok: true, contentType: 'signedData' });
  const streamed = await readFile(file('streamed.ber'));
  assert.equal(streamed[1], 0x80, 'openssl -stream writes an indefinite length');
  assert.deepEqual(readContentInfoHeader(streamed), { ok: true, contentType: 'signedData' });
  assert.deepEqual(readContentInfoHeader(await readFile(file('enveloped.der'))), { ok: true, contentType: 'envelopedData' });
});

test('not CMS, cut off, padded, or another content type: refused with the reason', async () => {
  const signed = await readFile(file('signed.der'));
  const refusal = (bytes: Uint8Array) => {
    const header = readContentInfoHeader(bytes);
    assert.equal(header.ok, false);
    return header.ok ? '' : `${header.code}: ${header.message}`;
  };
  assert.match(refusal(Buffer.alloc(0)), /^MALFORMED_CMS: empty/);
  assert.match(refusal(Buffer.from('%PDF-1.7\n')), /^MALFORMED_CMS: not DER: .* starts with 0x25/);
  assert.match(refusal(Buffer.from(await readFile(file('cert.pem'), 'utf8'))), /^MALFORMED_CMS: not DER/);
  assert.match(refusal(signed.subarray(0, signed.length - 10)), /^MALFORMED_CMS: truncated: the outer SEQUENCE announces \d+ bytes, \d+ follow/);
  assert.match(refusal(signed.subarray(0, 3)), /^MALFORMED_CMS: /);
  assert.match(refusal(Buffer.concat([signed, Buffer.from([0])])), /^MALFORMED_CMS: 1 bytes follow the outer SEQUENCE/);
  const streamed = await readFile(file('streamed.ber'));
  // The door sees only the outer frame: a cut that happens to end in 00 00 is left to the verifier.
  let cut = Math.floor(streamed.length / 2);
  while (streamed[cut - 1] === 0 && streamed[cut - 2] === 0) cut--;
  assert.match(refusal(streamed.subarray(0, cut)), /^MALFORMED_CMS: truncated: an indefinite-length/);
  assert.match(refusal(await readFile(file('cert.der'))), /^MALFORMED_CMS: not a CMS ContentInfo/);
  assert.match(refusal(await readFile(file('data.der'))), /^UNSUPPORTED_CONTENT_TYPE: /);
  assert.match(refusal(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1])), /^MALFORMED_CMS: not DER: the length/);
});
