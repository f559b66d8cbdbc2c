import type { ReactNode } from 'react';

/** What an empty list says: why it is empty and what to do next. */
export function EmptyState(props: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="grid justify-items-center gap-2 rounded-md border border-dashed px-6 py-10 text-center">
      <p className="font-medium">{props.title}</p>
      <div className="max-w-prose text-sm text-muted-foreground">{props.children}</div>
      {props.action && <div className="pt-2">{props.action}</div>}
    </div>
  );
}

/** An empty list filtered by status: with no filter, what fills it; with one, that another status may show more. */
export function StatusFilterEmptyState(props: { status: string; noun: string; whatFillsIt: string }) {
  const all = props.status === 'all';
  return (
    <EmptyState title={all ? `No ${props.noun} yet` : `No ${props.status.replaceAll('_', ' ')} ${props.noun}`}>
      {all ? props.whatFillsIt : 'Choose another status to see more.'}
    </EmptyState>
  );
}
