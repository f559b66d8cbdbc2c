import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { canonicalNonce } from './canonical-nonce.ts';

test('hex spellings of one value share a canonical form', () => {
  assert.equal(canonicalNonce('0xABCDEF'), canonicalNonce('0xabcdef'));
  assert.equal(canonicalNonce('0x00abcdef'), canonicalNonce('0XABCDEF'));
  assert.notEqual(canonicalNonce('0xabcdef'), canonicalNonce('0xabcdee'));
});

test('plain hex (no 0x) folds case and leading zeros too, and is the same nonce as its 0x spelling', () => {
  const hex = randomBytes(16).toString('hex');
  const forms = [hex, hex.toUpperCase(), `00${hex}`, `0x${hex}`, `0X00${hex.toUpperCase()}`];
  assert.equal(new Set(forms.map(canonicalNonce)).size, 1);
  assert.equal(canonicalNonce('ABCDEF0123456789ABCDEF'), canonicalNonce('abcdef0123456789abcdef'));
  assert.notEqual(canonicalNonce('abcdef0123456789abcdef'), canonicalNonce('abcdef0123456789abcdee'));
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
