import { formatDay } from '../../lib/format.ts';

export type DayCount = { day: string; count: number };

const DAY_MS = 86_400_000;

/** The first UTC midnight of a window of `days` days ending today. */
export function windowStart(days: number, now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** Usage points summed per UTC day, with the days without usage as zeros (the API lists only days with some). */
export function countsPerDay(points: ReadonlyArray<{ period_start: string; quantity: number }>, from: Date, days: number): DayCount[] {
  const totals = new Map<string, number>();
  for (const point of points) {
    const day = point.period_start.slice(0, 10);
    totals.set(day, (totals.get(day) ?? 0) + point.quantity);
  }
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return { day, count: totals.get(day) ?? 0 };
  });
}

/** Bars per day (CSS, scaled to the busiest day), with the numbers as a table for screen readers and on request. */
export function UsageChart({ counts, label }: { counts: DayCount[]; label: string }) {
  const max = Math.max(1, ...counts.map((c) => c.count));
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  return (
    <figure className="grid grid-cols-1 gap-3">
      <div aria-hidden="true" className="flex h-48 items-end gap-px border-b border-l px-px sm:gap-1">
        {counts.map((c) => (
          <div key={c.day} title={`${formatDay(c.day)}: ${c.count}`} className="flex h-full min-w-0 flex-1 items-end">
            <div className="w-full rounded-t-sm bg-chart" style={{ height: `${(c.count / max) * 100}%`, minHeight: c.count > 0 ? '2px' : 0 }} />
          </div>
        ))}
      </div>
      <div aria-hidden="true" className="flex justify-between text-xs text-muted-foreground">
        <span>{counts[0] && formatDay(counts[0].day)}</span>
        <span>busiest day: {max === 1 && total === 0 ? 0 : max}</span>
        <span>{counts.at(-1) && formatDay(counts.at(-1)!.day)}</span>
      </div>
      <figcaption className="text-sm">
        {label}: <strong>{total}</strong> in {counts.length} days.
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-muted-foreground">Numbers per day</summary>
        <table className="mt-2 text-xs">
          <caption className="sr-only">{label} per day</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-4 text-left font-medium">Day (UTC)</th>
              <th scope="col" className="text-right font-medium">Count</th>
            </tr>
          </thead>
          <tbody>
            {counts.map((c) => (
              <tr key={c.day}>
                <td className="pr-4">{formatDay(c.day)}</td>
                <td className="text-right tabular-nums">{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
