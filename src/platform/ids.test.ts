import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { encodeBase32, isId, newId } from './ids.ts';

/** The encoding by its definition: the 128-bit number in base 32, 26 digits, most significant first. */
function base32ByDefinition(bytes: Buffer): string {
  const value = BigInt(`0x${bytes.toString('hex')}`);
  return Array.from({ length: 26 }, (_, i) => '0123456789abcdefghjkmnpqrstvwxyz'[Number((value >> BigInt(5 * (25 - i))) & 31n)]).join('');
}

it('encodes 128 bits as 26 base32 digits, the first carrying the top 3 bits', () => {
  for (const bytes of [Buffer.alloc(16), Buffer.alloc(16, 0xff), Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), ...Array.from({ length: 1000 }, () => randomBytes(16))]) {
    assert.equal(encodeBase32(bytes), base32ByDefinition(bytes), bytes.toString('hex'));
  }
  assert.equal(encodeBase32(Buffer.alloc(16, 0xff)), '7zzzzzzzzzzzzzzzzzzzzzzzzz');
});

it('new ids are well-formed, distinct and sort by creation time', () => {
  const ids = [newId('prf', 1_700_000_000_000), newId('prf', 1_700_000_000_001), newId('prf', 1_800_000_000_000)];
  for (const id of ids) assert.ok(isId(id, 'prf'), id);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(Array.from({ length: 1000 }, () => newId('prf'))).size, 1000);
});

it('ids made across refills of the random pool share no random bytes', () => {
  // One timestamp for all: the first 10 of the 26 characters encode it, the rest the version, variant and 74 random bits.
  const randomParts = Array.from({ length: 1000 }, () => newId('prf', 1_700_000_000_000).slice(14));
  assert.equal(new Set(randomParts).size, 1000);
});
