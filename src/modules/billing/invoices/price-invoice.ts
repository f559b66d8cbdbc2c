import type { Product } from '#modules/metering/products.ts';
import type { PlanVersion } from '../plan-schema.ts';

export type InvoiceLine = { product: Product; quantity: number; included: number; overage: number; unit_price: number; amount: number };
export type InvoiceTotals = { lines: InvoiceLine[]; subtotal: number; deposits_applied: number; total: number };

/**
 * The lines and totals of a month: one line per product with usage (in `usage` order), the first
 * `included_per_month` outcomes free, each further one at `unit_price`; the month's credits
 * (deposits, refunds and adjustments, net) are applied up to the subtotal (an invoice never goes
 * below zero, nor above its usage). Integer minor units throughout.
 */
export function priceInvoice(products: PlanVersion['products'], usage: ReadonlyArray<{ product: Product; quantity: number }>, credits: number): InvoiceTotals {
  const lines = usage
    .filter((row) => row.quantity > 0)
    .map(({ product, quantity }) => {
      const terms = products[product];
      const included = Math.min(quantity, terms.included_per_month);
      const overage = quantity - included;
      return { product, quantity, included, overage, unit_price: terms.unit_price, amount: overage * terms.unit_price };
    });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const applied = Math.min(Math.max(credits, 0), subtotal);
  return { lines, subtotal, deposits_applied: applied, total: subtotal - applied };
}
