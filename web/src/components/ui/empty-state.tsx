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
