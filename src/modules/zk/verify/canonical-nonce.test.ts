import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { canonicalNonce } from './canonical-nonce.ts';

test('hex spellings of one value share a canonical form', () => {
  assert.equal(canonicalNonce('0xABCDEF'), canonicalNonce('0xabcdef'));
  assert.equal(canonicalNonce('0x00abcdef'), canonicalNonce('0XABCDEF'));
  assert.notEqual(canonicalNonce('0xabcdef'), canonicalNonce('0xabcdee'));
});

test('base64, base64url, padded and unpadded spellings of the same bytes collide', () => {
  const bytes = randomBytes(17);
  const forms = [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, '')];
  assert.equal(new Set(forms.map(canonicalNonce)).size, 1);
  // Trailing bits a decoder ignores: "QQ" and "QR" both decode to the byte 0x41.
  assert.equal(canonicalNonce('QQ'), canonicalNonce('QR'));
});

test('other strings keep their identity (NFC-normalised)', () => {
  assert.equal(canonicalNonce('caf\u00e9!'), canonicalNonce('cafe\u0301!'));
  assert.notEqual(canonicalNonce('nonce one!'), canonicalNonce('nonce two!'));
});
