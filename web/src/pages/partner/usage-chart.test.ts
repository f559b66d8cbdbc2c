import { expect, test } from 'vitest';
import { countsPerDay, windowStart } from './usage-chart.tsx';

test('usage points are summed per UTC day over the whole window, days without usage as zeros', () => {
  const from = windowStart(4, new Date('2026-03-10T15:00:00Z'));
  expect(from.toISOString()).toBe('2026-03-07T00:00:00.000Z');
  const counts = countsPerDay(
    [
      { period_start: '2026-03-07T00:00:00.000Z', quantity: 2 },
      { period_start: '2026-03-07T00:00:00.000Z', quantity: 3 },
      { period_start: '2026-03-09T00:00:00.000Z', quantity: 1 },
    ],
    from,
    4,
  );
  expect(counts).toEqual([
    { day: '2026-03-07', count: 5 },
    { day: '2026-03-08', count: 0 },
    { day: '2026-03-09', count: 1 },
    { day: '2026-03-10', count: 0 },
  ]);
});
