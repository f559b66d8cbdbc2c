import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPreparedCollateralCache } from './collateral-cache.ts';
import { readVector, readVectorJson, readVectorText, SAMPLE_VERIFY_AT } from './test-vectors.ts';
import { verifyQuote } from './verify-quote.ts';

const tdxCollateral = readVectorJson('tdx_quote_collateral.json');
const sgxCollateral = readVectorJson('sgx_quote_collateral.json');

test('equal content is prepared once, whatever object carries it', () => {
  const cache = createPreparedCollateralCache();
  const first = cache.prepare(tdxCollateral);
  const second = cache.prepare(readVectorJson('tdx_quote_collateral.json'));
  assert.ok(first.ok && second.ok);
  assert.equal(second.value, first.value);
  assert.deepEqual(cache.stats(), { hits: 1, misses: 1, entries: 1 });
  // JSON text is keyed by its own bytes: one more miss, then hits.
  cache.prepare(readVectorText('tdx_quote_collateral.json'));
  cache.prepare(readVectorText('tdx_quote_collateral.json'));
  assert.deepEqual(cache.stats(), { hits: 2, misses: 2, entries: 2 });
});

test('a changed field is a different entry, and failures are not cached', () => {
  const cache = createPreparedCollateralCache();
  cache.prepare(tdxCollateral);
  const tampered = { ...tdxCollateral, tcb_info: `${String(tdxCollateral.tcb_info)} ` };
  assert.equal(cache.prepare(tampered).ok, false);
  assert.equal(cache.prepare(tampered).ok, false);
  assert.deepEqual(cache.stats(), { hits: 0, misses: 3, entries: 1 });
});

test('the least recently used entry is evicted first', () => {
  const cache = createPreparedCollateralCache({ maxEntries: 1 });
  cache.prepare(tdxCollateral);
  cache.prepare(sgxCollateral);
  cache.prepare(tdxCollateral);
  assert.deepEqual(cache.stats(), { hits: 0, misses: 3, entries: 1 });
  assert.throws(() => createPreparedCollateralCache({ maxEntries: 0 }), TypeError);
});

test('a cached entry verifies exactly like fresh collateral', () => {
  const cache = createPreparedCollateralCache();
  const prepared = cache.prepare(tdxCollateral);
  assert.ok(prepared.ok);
  const quote = readVector('tdx_quote');
  assert.deepEqual(
    verifyQuote({ quote, collateral: prepared.value }, { verifyAt: SAMPLE_VERIFY_AT }),
    verifyQuote({ quote, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }),
  );
  // The cache holds no time: the same entry is expired at a later verifyAt.
  const late = verifyQuote({ quote, collateral: prepared.value }, { verifyAt: new Date('2026-11-22T00:00:00Z') });
  assert.equal(late.ok ? 'ok' : late.code, 'COLLATERAL_EXPIRED');
});
