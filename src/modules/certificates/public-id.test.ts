import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPublicId, PUBLIC_ID_PATTERN } from './public-id.ts';

test('public ids: 26 Crockford base32 characters carrying 128 random bits, never repeating', () => {
  const ids = Array.from({ length: 2000 }, newPublicId);
  for (const id of ids) assert.match(id, PUBLIC_ID_PATTERN);
  assert.equal(new Set(ids).size, ids.length);
  // The first character carries the top 3 bits (0-7); every other position sees the whole alphabet.
  assert.deepEqual(new Set(ids.map((id) => id[0])).size, 8);
  assert.equal(new Set(ids.map((id) => id[25])).size, 32);
  assert.doesNotMatch(ids.join(''), /[ilou]/);
});
