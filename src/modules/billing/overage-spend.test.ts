import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRODUCTS } from '#modules/metering/products.ts';
import { overageSpend } from './overage-spend.ts';

const terms = { products: Object.fromEntries(PRODUCTS.map((product) => [product, { included_per_month: 10, unit_price: 3 }])) as never };

test('overage: only what exceeds the included quota, per product, at its unit price', () => {
  assert.equal(overageSpend(terms, []), 0);
  assert.equal(overageSpend(terms, [{ product: 'zk_verification', quantity: 10 }]), 0);
  assert.equal(overageSpend(terms, [{ product: 'zk_verification', quantity: 7 }, { product: 'zk_verification', quantity: 7 }]), 12);
  assert.equal(overageSpend(terms, [{ product: 'zk_verification', quantity: 11 }, { product: 'evidence_certificate', quantity: 5 }]), 3);
});
