import assert from 'node:assert/strict';
import { createHash, randomBytes, sign, verify } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { createPlatformKeys, jwkThumbprint } from './platform-keys.ts';
import { createSecretBox } from './secret-box.ts';

let database: TestDatabase;
const secretBox = createSecretBox([randomBytes(32)]);

before(async () => (database = await createTestDatabase()));
after(async () => database.drop());
beforeEach(async () => database.pool.query('DELETE FROM platform_keys'));

const replica = () => createPlatformKeys({ db: database.db, secretBox });

test('creates one Ed25519 key per purpose and signs with it; the id is the RFC 7638 thumbprint', async () => {
  const key = await replica().activeKey('oauth');
  assert.equal(key.algorithm, 'Ed25519');
  assert.equal(key.privateKey.asymmetricKeyType, 'ed25519');
  assert.equal(key.privateKey.type, 'private');
  assert.match(key.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
  // RFC 7638 computed independently from the exported JWK members.
  const x = key.publicKey.export({ format: 'jwk' }).x!;
  assert.equal(key.id, createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url'));
  assert.equal(jwkThumbprint(key.publicJwk), key.id);

  const message = Buffer.from('checkpoint');
  assert.equal(verify(null, message, key.publicKeyPem, sign(null, message, key.privateKey)), true);

  const ledger = await replica().activeKey('ledger');
  assert.notEqual(ledger.id, key.id);
  const { rows } = await database.pool.query('SELECT purpose FROM platform_keys ORDER BY purpose');
  assert.deepEqual(rows.map((r) => r.purpose), ['ledger', 'oauth']);
});

test('replicas starting together end up with one key', async () => {
  const keys = await Promise.all(Array.from({ length: 8 }, () => replica().activeKey('oauth')));
  assert.equal(new Set(keys.map((k) => k.id)).size, 1);
  const { rows } = await database.pool.query(`SELECT count(*)::int AS n FROM platform_keys WHERE purpose = 'oauth'`);
  assert.equal(rows[0].n, 1);
});

test('the private key is stored sealed, bound to its id and purpose', async () => {
  const key = await replica().activeKey('oauth');
  const { rows } = await database.pool.query('SELECT * FROM platform_keys WHERE id = $1', [key.id]);
  const row = rows[0];
  const der = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  assert.match(row.private_key_sealed, /^v1\.[0-9a-f]{8}\./);
  assert.equal(row.private_key_sealed.includes(der.toString('base64')), false);
  assert.equal(row.private_key_sealed.includes(der.toString('base64url')), false);
  assert.equal(row.public_key, key.publicKeyPem);

  // Re-labelled as another purpose, the sealed key no longer opens.
  await database.pool.query(`UPDATE platform_keys SET purpose = 'ledger' WHERE id = $1`, [key.id]);
  await assert.rejects(replica().activeKey('ledger'), /Unsupported state or unable to authenticate data/);
});

test('a row whose public key was replaced is refused', async () => {
  const key = await replica().activeKey('oauth');
  const other = await replica().activeKey('ledger');
  await database.pool.query('UPDATE platform_keys SET public_key = $1 WHERE id = $2', [other.publicKeyPem, key.id]);
  await assert.rejects(replica().activeKey('oauth'), /does not match/);
});

test('another encryption key cannot open the stored key', async () => {
  await replica().activeKey('oauth');
  const stranger = createPlatformKeys({ db: database.db, secretBox: createSecretBox([randomBytes(32)]) });
  await assert.rejects(stranger.activeKey('oauth'), /no encryption key/);
});

test('the active key is cached per process', async () => {
  const keys = replica();
  const first = await keys.activeKey('oauth');
  await database.pool.query('DELETE FROM platform_keys');
  assert.equal((await keys.activeKey('oauth')).id, first.id, 'served from memory');
  assert.notEqual((await replica().activeKey('oauth')).id, first.id, 'a new process creates a new key');
});

test('after retirement a new key is created; the retired one stays findable and is published for a while', async () => {
  const old = await replica().activeKey('oauth');
  const retiredAt = new Date('2030-01-01T00:00:00Z');
  await database.pool.query('UPDATE platform_keys SET retired_at = $1 WHERE id = $2', [retiredAt, old.id]);
  const keys = replica();
  const current = await keys.activeKey('oauth');
  assert.notEqual(current.id, old.id);
  assert.equal(current.retiredAt, null);

  const found = await keys.keyById('oauth', old.id);
  assert.equal(found?.id, old.id);
  assert.deepEqual(found?.retiredAt, retiredAt);
  assert.equal(await keys.keyById('ledger', old.id), undefined, 'another purpose does not see it');
  assert.equal(await keys.keyById('oauth', 'no-such-key'), undefined);

  const recent = await keys.publishedKeys('oauth', new Date(retiredAt.getTime() - 1000));
  assert.deepEqual(recent.map((k) => k.id).sort(), [old.id, current.id].sort());
  const later = await keys.publishedKeys('oauth', new Date(retiredAt.getTime() + 1000));
  assert.deepEqual(later.map((k) => k.id), [current.id]);
});

test('the PDF-signing purpose gets an ECDSA P-256 key, sealed and identified like the others', async () => {
  const key = await replica().activeKey('certificate-pdf');
  assert.equal(key.algorithm, 'ECDSA-P256');
  assert.equal(key.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  // RFC 7638 for an EC key: crv, kty, x, y in that order.
  const { x, y } = key.publicKey.export({ format: 'jwk' });
  assert.equal(key.id, createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`).digest('base64url'));
  assert.deepEqual(key.publicJwk, { kty: 'EC', crv: 'P-256', x, y });
  const message = Buffer.from('pdf byte range');
  assert.equal(verify('sha256', message, key.publicKeyPem, sign('sha256', message, key.privateKey)), true);

  // Another process opens the same key; a row claiming another algorithm for the purpose is refused.
  assert.equal((await replica().keyById('certificate-pdf', key.id))?.id, key.id);
  await database.pool.query(`UPDATE platform_keys SET algorithm = 'Ed25519' WHERE id = $1`, [key.id]);
  await assert.rejects(replica().activeKey('certificate-pdf'), /unsupported algorithm Ed25519 for certificate-pdf/);
});
