import type { ReactNode } from 'react';
import { ProblemAlert } from './toast.tsx';

/**
 * What a list shows before its rows: the API's error, a loading line (as tall as a short list, so
 * the page does not jump), or the empty state; otherwise its children.
 */
export function QueryState(props: { query: { isError: boolean; error: unknown; isPending: boolean }; what: string; empty: ReactNode | false; children: ReactNode }) {
  if (props.query.isError) return <ProblemAlert error={props.query.error} title={`Could not load ${props.what}`} />;
  if (props.query.isPending) {
    return (
      <p className="py-10 text-center text-sm text-muted-foreground" aria-busy="true">
        Loading {props.what}…
      </p>
    );
  }
  return props.empty || props.children;
}
