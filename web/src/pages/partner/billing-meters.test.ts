import { describe, expect, test } from 'vitest';
import { countedFrom, meter, periodStart, totalsPerProduct } from './billing-meters.ts';

describe('meters', () => {
  test('within, near (80 % or more) and over the limit; the bar stops full, the overage counts on', () => {
    expect(meter(0, 1000)).toEqual({ used: 0, limit: 1000, overage: 0, filled: 0, state: 'within' });
    expect(meter(799, 1000).state).toBe('within');
    expect(meter(800, 1000)).toEqual({ used: 800, limit: 1000, overage: 0, filled: 0.8, state: 'near' });
    expect(meter(1000, 1000)).toEqual({ used: 1000, limit: 1000, overage: 0, filled: 1, state: 'near' });
    expect(meter(1250, 1000)).toEqual({ used: 1250, limit: 1000, overage: 250, filled: 1, state: 'over' });
  });

  test('nothing included: any use is overage', () => {
    expect(meter(0, 0)).toEqual({ used: 0, limit: 0, overage: 0, filled: 0, state: 'within' });
    expect(meter(3, 0)).toEqual({ used: 3, limit: 0, overage: 3, filled: 1, state: 'over' });
  });
});

describe('the period counted', () => {
  test('the UTC month, or from the hour a first plan was taken in it', () => {
    const now = new Date('2026-04-10T12:34:00Z');
    expect(periodStart(now).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(periodStart(new Date('2026-03-31T23:59:59.999Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(countedFrom(now, null).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(countedFrom(now, '2026-02-20T08:00:00Z').toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(countedFrom(now, '2026-04-05T08:45:12Z').toISOString()).toBe('2026-04-05T08:00:00.000Z');
  });

  test('usage summed per product over the periods listed', () => {
    expect(
      totalsPerProduct([
        { product: 'zk_verification', quantity: 2 },
        { product: 'evidence_certificate', quantity: 1 },
        { product: 'zk_verification', quantity: 5 },
      ]),
    ).toEqual({ zk_verification: 7, evidence_certificate: 1 });
  });
});
