import type { UsagePoint } from '#modules/metering/partner-usage.ts';
import type { PlanTerms } from './plan-schema.ts';

/** A period's overage in minor units: per product, the outcomes beyond the included ones times the unit price. */
export function overageSpend(terms: Pick<PlanTerms, 'products'>, usage: readonly Pick<UsagePoint, 'product' | 'quantity'>[]): number {
  const used = new Map<string, number>();
  for (const point of usage) used.set(point.product, (used.get(point.product) ?? 0) + point.quantity);
  let spend = 0;
  for (const [product, quantity] of used) {
    const priced = terms.products[product as keyof PlanTerms['products']];
    spend += Math.max(0, quantity - priced.included_per_month) * priced.unit_price;
  }
  return spend;
}
