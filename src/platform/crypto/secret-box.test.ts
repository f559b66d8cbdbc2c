import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createSecretBox } from './secret-box.ts';

test('round-trips and binds associated data', () => {
  const box = createSecretBox([randomBytes(32)]);
  const sealed = box.encrypt('whsec_secret', 'cli_1');
  assert.doesNotMatch(sealed, /whsec_secret/);
  assert.equal(box.decrypt(sealed, 'cli_1').toString(), 'whsec_secret');
  assert.throws(() => box.decrypt(sealed, 'cli_2'));
});

test('a tampered ciphertext is refused', () => {
  const box = createSecretBox([randomBytes(32)]);
  const sealed = box.encrypt('hello');
  const raw = Buffer.from(sealed.split('.')[2]!, 'base64url');
  raw[raw.length - 1]! ^= 1;
  const tampered = sealed.split('.').slice(0, 2).concat(raw.toString('base64url')).join('.');
  assert.throws(() => box.decrypt(tampered));
});

test('old keys keep decrypting after rotation; new values use the first key', () => {
  const oldKey = randomBytes(32);
  const sealedWithOld = createSecretBox([oldKey]).encrypt('value');
  const rotated = createSecretBox([randomBytes(32), oldKey]);
  assert.equal(rotated.decrypt(sealedWithOld).toString(), 'value');
  assert.equal(rotated.needsRotation(sealedWithOld), true);
  assert.equal(rotated.needsRotation(rotated.encrypt('value')), false);
  assert.ok(rotated.encrypt('value').startsWith(rotated.currentPrefix) && !sealedWithOld.startsWith(rotated.currentPrefix));
  assert.throws(() => createSecretBox([randomBytes(32)]).decrypt(sealedWithOld), /no encryption key/);
});
