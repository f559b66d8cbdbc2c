import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LedgerLeafFields, ledgerLeaf } from './ledger-leaf.ts';

const FIELDS: LedgerLeafFields = {
  kind: 'zk_proof',
  public_id: 'prf_01jbz4r8m4k2s9c0x7d3v5w6yq',
  claim_type: 'age_over_18',
  status: 'verified',
  public_hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ts: '2025-01-02T03:04:05.678Z',
};

test('leaf bytes are the RFC 8785 form: keys in code-unit order, no whitespace', () => {
  assert.equal(
    ledgerLeaf(FIELDS).toString('utf8'),
    '{"claim_type":"age_over_18","kind":"zk_proof",' +
      '"public_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",' +
      '"public_id":"prf_01jbz4r8m4k2s9c0x7d3v5w6yq","status":"verified","ts":"2025-01-02T03:04:05.678Z"}',
  );
  assert.match(ledgerLeaf({ ...FIELDS, claim_type: null }).toString('utf8'), /^\{"claim_type":null,"kind"/);
});

test('one instant, one encoding: Dates and canonical ISO strings agree, other spellings are refused', () => {
  assert.deepEqual(ledgerLeaf({ ...FIELDS, ts: new Date('2025-01-02T03:04:05.678Z') }), ledgerLeaf(FIELDS));
  for (const ts of ['2025-01-02T03:04:05.678+00:00', '2025-01-02T03:04:05Z', '2025-01-02', 'yesterday']) {
    assert.throws(() => ledgerLeaf({ ...FIELDS, ts }), TypeError, ts);
  }
  assert.throws(() => ledgerLeaf({ ...FIELDS, ts: new Date(Number.NaN) }), TypeError);
});

test('only the six fields reach the log, and each is checked', () => {
  const withExtra = { ...FIELDS, holder_name: 'Alice' } as LedgerLeafFields;
  assert.deepEqual(ledgerLeaf(withExtra), ledgerLeaf(FIELDS));
  assert.throws(() => ledgerLeaf({ ...FIELDS, kind: '' }), TypeError);
  assert.throws(() => ledgerLeaf({ ...FIELDS, status: 7 as unknown as string }), TypeError);
  assert.throws(() => ledgerLeaf({ ...FIELDS, claim_type: '' }), TypeError);
  assert.throws(() => ledgerLeaf({ ...FIELDS, public_hash: '\ud800' }), TypeError);
});
