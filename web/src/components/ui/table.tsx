import { useState, type ComponentProps, type ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';
import { Button } from './button.tsx';

/**
 * A table that scrolls sideways on a narrow screen; the scrolling region is focusable and named,
 * so it can be scrolled from the keyboard. `relative`: what is positioned inside (screen-reader-only
 * text) is clipped with the rest instead of widening the page.
 */
export function Table({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={cn('relative w-full overflow-x-auto rounded-md border', className)}>
      <table className="w-full caption-bottom text-sm">{children}</table>
    </div>
  );
}

export function THead(props: ComponentProps<'thead'>) {
  return <thead className="bg-muted/60 text-left" {...props} />;
}

export function TBody(props: ComponentProps<'tbody'>) {
  return <tbody className="[&_tr:last-child]:border-0" {...props} />;
}

export function Tr({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('border-b align-top', className)} {...props} />;
}

export function Th({ className, ...props }: ComponentProps<'th'>) {
  return <th scope="col" className={cn('px-3 py-2 font-medium whitespace-nowrap text-muted-foreground', className)} {...props} />;
}

export function Td({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('px-3 py-2', className)} {...props} />;
}

/** A header row of plain column titles; `actions`: a last column of row buttons, its title for screen readers only. */
export function TableHead({ columns, actions }: { columns: readonly string[]; actions?: string }) {
  return (
    <THead>
      <Tr>
        {columns.map((column) => (
          <Th key={column}>{column}</Th>
        ))}
        {actions && (
          <Th>
            <span className="sr-only">{actions}</span>
          </Th>
        )}
      </Tr>
    </THead>
  );
}

/** A row's first cell: what it is called, and its id beneath (to copy, or to search for). */
export function NameCell({ name, id }: { name: ReactNode; id: string }) {
  return (
    <Td>
      <p className="font-medium">{name}</p>
      <p className="font-mono text-xs text-muted-foreground">{id}</p>
    </Td>
  );
}

/** A list's filters and its page, both kept in the browser: changing a filter goes back to page 1. */
export function useListFilter<Filter extends object>(initial: Filter) {
  const [filter, setFilter] = useState(initial);
  const [page, setPage] = useState(1);
  const change = (patch: Partial<Filter>) => {
    setFilter((current) => ({ ...current, ...patch }));
    setPage(1);
  };
  return { filter, change, page, setPage };
}

/** One page of `items` (1-based page, clamped to the last page). */
export function pageOf<T>(items: readonly T[], page: number, pageSize: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(Math.max(1, page), pages);
  return { rows: items.slice((current - 1) * pageSize, current * pageSize), page: current, pages };
}

/** Previous / next, with where the reader is. `summary` replaces "Page x of y" (cursor pages have no total). */
export function Pagination(props: { page: number; pages?: number; hasNext: boolean; onPage: (page: number) => void; summary?: string }) {
  const { page, pages, hasNext, onPage } = props;
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 pt-3">
      <p className="text-sm text-muted-foreground" aria-live="polite">
        {props.summary ?? (pages ? `Page ${page} of ${pages}` : `Page ${page}`)}
      </p>
      <div className="flex gap-2">
        <Button variant="outline" size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <Button variant="outline" size="sm" disabled={!hasNext} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
