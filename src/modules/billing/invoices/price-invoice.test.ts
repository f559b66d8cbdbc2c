import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanVersion } from '../plan-schema.ts';
import { priceInvoice } from './price-invoice.ts';

const products = {
  zk_verification: { included_per_month: 1000, unit_price: 2 },
  tee_attestation: { included_per_month: 100, unit_price: 10 },
  evidence_verification: { included_per_month: 100, unit_price: 5 },
  evidence_certificate: { included_per_month: 100, unit_price: 10 },
  agent_query: { included_per_month: 1000, unit_price: 1 },
  x402_settlement: { included_per_month: 0, unit_price: 0 },
} satisfies PlanVersion['products'];

test('included outcomes are free, the rest at the unit price; products without usage have no line', () => {
  const priced = priceInvoice(products, [{ product: 'zk_verification', quantity: 1250 }, { product: 'evidence_certificate', quantity: 40 }, { product: 'agent_query', quantity: 0 }], 0);
  assert.deepEqual(priced.lines, [
    { product: 'zk_verification', quantity: 1250, included: 1000, overage: 250, unit_price: 2, amount: 500 },
    { product: 'evidence_certificate', quantity: 40, included: 40, overage: 0, unit_price: 10, amount: 0 },
  ]);
  assert.deepEqual({ subtotal: priced.subtotal, deposits_applied: priced.deposits_applied, total: priced.total }, { subtotal: 500, deposits_applied: 0, total: 500 });
});

test('deposits are applied up to the subtotal', () => {
  const usage = [{ product: 'tee_attestation' as const, quantity: 130 }];
  assert.deepEqual(priceInvoice(products, usage, 120), { lines: priceInvoice(products, usage, 0).lines, subtotal: 300, deposits_applied: 120, total: 180 });
  assert.equal(priceInvoice(products, usage, 10_000).total, 0);
  assert.equal(priceInvoice(products, usage, 10_000).deposits_applied, 300);
});
