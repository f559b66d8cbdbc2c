import type { ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';

/** The details of one thing (a description list): labels in a column beside their values from small screens up. */
export function DetailList({ children }: { children: ReactNode }) {
  return <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">{children}</dl>;
}

/** One label and its value in a DetailList; `className` for the value (hashes in monospace, a row of buttons). */
export function Detail({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className={cn('min-w-0 break-words', className)}>{children}</dd>
    </>
  );
}
