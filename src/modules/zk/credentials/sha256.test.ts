import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha256 } from './sha256.ts';

function reference(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

test('matches the FIPS 180-2 example for "abc"', () => {
  assert.equal(
    Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('matches node:crypto for every length 0..300 (padding across block boundaries)', () => {
  for (let length = 0; length <= 300; length++) {
    const input = randomBytes(length);
    assert.equal(Buffer.from(sha256(input)).toString('hex'), reference(input), `length ${length}`);
  }
});

test('matches node:crypto on a multi-kilobyte input and on a subarray view', () => {
  const big = randomBytes(70_001);
  assert.equal(Buffer.from(sha256(big)).toString('hex'), reference(big));
  const view = big.subarray(13, 1_013);
  assert.equal(Buffer.from(sha256(view)).toString('hex'), reference(view));
});
