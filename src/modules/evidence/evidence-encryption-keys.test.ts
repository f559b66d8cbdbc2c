import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPair, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { createEvidenceEncryptionKeys } from './evidence-encryption-keys.ts';
import { makeEncryptionCertificate } from './make-encryption-certificate.ts';

const run = promisify(execFile);
let database: TestDatabase;
let scratch: string;
const secretBox = createSecretBox([randomBytes(32)]);

before(async () => {
  database = await createTestDatabase();
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-evidence-key-'));
});
after(async () => {
  await database.drop();
  await rm(scratch, { recursive: true, force: true });
});

test('one active key for every process; its certificate is an RSA-3072 keyEncipherment end-entity certificate', async () => {
  const [first, second] = await Promise.all([
    createEvidenceEncryptionKeys({ pool: database.pool, secretBox, clock: systemClock }).active(),
    createEvidenceEncryptionKeys({ pool: database.pool, secretBox, clock: systemClock }).active(),
  ]);
  assert.equal(first.id, second.id);
  assert.equal((await database.pool.query('SELECT 1 FROM evidence_encryption_keys')).rowCount, 1);
  const certificate = new X509Certificate(first.certificate);
  assert.equal(certificate.ca, false);
  assert.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 3072);
  assert.ok(certificate.verify(certificate.publicKey), 'self-signed');
  assert.ok(certificate.checkPrivateKey(first.privateKey));
});

test('openssl cms -encrypt (OAEP) to the published certificate; the sealed key decrypts it (openssl cms -decrypt)', async () => {
  const key = await createEvidenceEncryptionKeys({ pool: database.pool, secretBox, clock: systemClock }).active();
  const files = { cert: path.join(scratch, 'cert.pem'), key: path.join(scratch, 'key.pem'), plain: path.join(scratch, 'plain.txt'), enveloped: path.join(scratch, 'enveloped.der'), out: path.join(scratch, 'out.txt') };
  await writeFile(files.cert, key.certificatePem);
  await writeFile(files.key, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(files.plain, 'erasure report');
  const described = await run('openssl', ['x509', '-in', files.cert, '-noout', '-ext', 'keyUsage,basicConstraints']);
  assert.match(described.stdout, /Key Encipherment/);
  assert.match(described.stdout, /CA:FALSE/);
  // RSAES-OAEP key transport: what the verifier accepts (README: Signed evidence).
  await run('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-in', files.plain, '-outform', 'DER', '-out', files.enveloped, '-recip', files.cert, '-keyopt', 'rsa_padding_mode:oaep']);
  await run('openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', files.enveloped, '-inkey', files.key, '-recip', files.cert, '-out', files.out]);
  assert.equal(await readFile(files.out, 'utf8'), 'erasure report');
});

test('the key does not open without the encryption key, nor beside a certificate of another key', async () => {
  const other = createSecretBox([randomBytes(32)]);
  await assert.rejects(createEvidenceEncryptionKeys({ pool: database.pool, secretBox: other, clock: systemClock }).active());
  const keys = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  await database.pool.query('UPDATE evidence_encryption_keys SET certificate = $1', [await makeEncryptionCertificate(keys, new Date())]);
  await assert.rejects(createEvidenceEncryptionKeys({ pool: database.pool, secretBox, clock: systemClock }).active(), /does not match the sealed private key/);
});
