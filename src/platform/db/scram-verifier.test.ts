import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scramAccepts } from '#test/support/scram-server.ts';
import { scramSha256Verifier } from './scram-verifier.ts';

test("the verifier is PostgreSQL's format and lets node-postgres's SCRAM client in with that password only", async () => {
  const password = 'Qm9~ x!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}';
  const verifier = scramSha256Verifier(password);
  assert.match(verifier, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  assert.equal(await scramAccepts(verifier, password), true);
  assert.equal(await scramAccepts(verifier, `${password}x`), false);
  assert.equal(await scramAccepts(verifier, password.slice(1)), false);
});

test('a fresh salt each time, and a fixed one gives the same verifier', () => {
  assert.notEqual(scramSha256Verifier('same password'), scramSha256Verifier('same password'));
  const salt = Buffer.alloc(16, 7);
  assert.equal(scramSha256Verifier('same password', salt), scramSha256Verifier('same password', salt));
});

test('passwords SASLprep would change (or reject) are refused rather than hashed differently from PostgreSQL', () => {
  for (const password of ['', 'caf\u00e9', 'tab\there', 'line\nbreak', 'nbsp\u00a0space']) {
    assert.throws(() => scramSha256Verifier(password), /printable ASCII/, JSON.stringify(password));
  }
});
