import { useState } from 'react';

/**
 * Cursor pages without a total: the cursor of each page visited, so Previous goes back and a
 * filter change starts over at the first page.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length,
    reset: () => setCursors([undefined]),
    /** To `page` (1-based): forward with the current page's `next_cursor`, or back to one visited. */
    go: (page: number, nextCursor: string | null | undefined) => setCursors(page > cursors.length ? [...cursors, nextCursor ?? undefined] : cursors.slice(0, page)),
  };
}
