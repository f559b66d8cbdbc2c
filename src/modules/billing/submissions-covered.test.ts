import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRODUCTS } from '#modules/metering/products.ts';
import type { PlanTerms } from './plan-schema.ts';
import { affordableSubmissions } from './submissions-covered.ts';

const EVIDENCE = { evidence_verification: { included_per_month: 2, unit_price: 50 }, evidence_certificate: { included_per_month: 2, unit_price: 100 } };

/** Evidence: 2 verifications and 2 certificates included, then 50 + 100 a submission; everything else free. */
const terms = (cap: number | null) => ({
  monthly_spending_cap: cap,
  products: Object.fromEntries(PRODUCTS.map((product) => [product, EVIDENCE[product as keyof typeof EVIDENCE] ?? { included_per_month: 0, unit_price: 0 }])) as PlanTerms['products'],
});

test('prepaid: as many as the credit covers at the worst-case price, the included ones free', () => {
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 10, credit: 0 }), 2, 'the included two on an empty balance');
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 10, credit: 449 }), 4);
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 10, credit: 450 }), 5);
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 3, credit: 10_000 }), 3, 'never more than wait');
  // Two already metered, one queued and not yet metered: each further one costs 150 from the first.
  const used = [{ product: 'evidence_verification' as const, quantity: 2 }, { product: 'evidence_certificate' as const, quantity: 2 }];
  assert.equal(affordableSubmissions(terms(null), used, { inPipeline: 1, waiting: 10, credit: 300 }), 1);
  assert.equal(affordableSubmissions(terms(null), used, { inPipeline: 0, waiting: 10, credit: 149 }), 0);
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 10, credit: -1 }), 0, 'below zero: not even the free ones');
});

test('spending cap: the month\'s overage with them stays within the cap; invoice partners have no credit limit', () => {
  assert.equal(affordableSubmissions(terms(300), [], { inPipeline: 0, waiting: 10, credit: undefined }), 4);
  assert.equal(affordableSubmissions(terms(0), [], { inPipeline: 0, waiting: 10, credit: undefined }), 2, 'a cap of 0 still serves the included quota');
  assert.equal(affordableSubmissions(terms(null), [], { inPipeline: 0, waiting: 1000, credit: undefined }), 1000);
  // Other products' overage counts toward the cap too.
  const over = { ...terms(300), products: { ...terms(300).products, zk_verification: { included_per_month: 0, unit_price: 1 } } };
  assert.equal(affordableSubmissions(over, [{ product: 'zk_verification', quantity: 301 }], { inPipeline: 0, waiting: 10, credit: undefined }), 0);
  assert.equal(affordableSubmissions(terms(300), [], { inPipeline: 0, waiting: 10, credit: 150 }), 3, 'both limits: the lower');
});
