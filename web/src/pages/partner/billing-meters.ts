import type { Product } from './products.ts';

/** Where a meter stands: within its limit, at 80 % or more of it (the soft cap's first threshold), or over it. */
export type MeterState = 'within' | 'near' | 'over';

export type Meter = { used: number; limit: number; overage: number; /** Of the bar, 0 to 1. */ filled: number; state: MeterState };

const NEAR = 0.8;

/** Usage against a limit (a product's included quota, or the spending cap): overage beyond it, a bar filled up to it. */
export function meter(used: number, limit: number): Meter {
  const overage = Math.max(0, used - limit);
  if (limit <= 0) return { used, limit, overage, filled: used > 0 ? 1 : 0, state: used > 0 ? 'over' : 'within' };
  const share = used / limit;
  return { used, limit, overage, filled: Math.min(1, share), state: share > 1 ? 'over' : share >= NEAR ? 'near' : 'within' };
}

/** The first instant of the UTC month `now` is in: billing periods are UTC calendar months. */
export function periodStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Where this period's usage starts counting: the month's start, or the hour a first plan was
 * taken in this month (a plan taken mid-month bills usage from that hour).
 */
export function countedFrom(now: Date, planSince: string | null): Date {
  const start = periodStart(now);
  if (!planSince) return start;
  const since = new Date(planSince);
  since.setUTCMinutes(0, 0, 0);
  return since > start ? since : start;
}

/** Usage points (any granularity) summed per product. */
export function totalsPerProduct(points: ReadonlyArray<{ product: Product; quantity: number }>): Partial<Record<Product, number>> {
  const totals: Partial<Record<Product, number>> = {};
  for (const point of points) totals[point.product] = (totals[point.product] ?? 0) + point.quantity;
  return totals;
}
