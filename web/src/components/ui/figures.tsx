import { cn } from '../../lib/cn.ts';

/** Labelled values in boxes (a description list): counts, or `mono` for ids, hashes and keys. */
export function Figures({ items, mono = false, className }: { items: Array<[label: string, value: string | number]>; mono?: boolean; className?: string }) {
  return (
    <dl className={cn('grid gap-3', className)}>
      {items.map(([label, value]) => (
        <div key={label} className="grid grid-cols-1 gap-0.5 rounded-md border p-3">
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className={mono ? 'font-mono text-sm break-all' : 'text-lg font-semibold tabular-nums'} data-figure={label}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
