import type { ChangeFeed } from './change-feed.ts';

type Cached<Value> = { value: Value; rowId: string; expiresAt: number };

/** A ceiling on staleness should a notification be lost without the connection dropping; the size bounds memory whatever is asked. */
const DEFAULTS = { ttlMs: 60_000, maxEntries: 10_000 };

/**
 * Rows of `table` kept in memory, each under the key it was looked up by: dropped when the
 * database announces a change of the row (see change-feed.ts), and served only while the feed is
 * live. Only values naming a row are kept (an absent or refused lookup is read every time), and a
 * read that raced a change is answered but not kept. Concurrent lookups of one key share one read
 * (a partner's first requests, or a hot entry expiring, would each read the same row) unless a
 * change was heard since that read started.
 */
export type ChangeFedCache<Value> = {
  /** `load` reads the database; `rowIdOf` names the row a value came from, or undefined to keep it out of the cache. */
  find(key: string, load: () => Promise<Value>, rowIdOf: (value: Value) => string | undefined): Promise<Value>;
  /**
   * Drops a row this process just changed, so its next lookup already sees the change: the
   * database's notification arrives a moment after the commit. Other processes' changes wait for it.
   */
  forget(rowId: string): void;
};

export function createChangeFedCache<Value>(feed: ChangeFeed, table: string, options = DEFAULTS, now: () => number = Date.now): ChangeFedCache<Value> {
  const entries = new Map<string, Cached<Value>>();
  const keysOfRow = new Map<string, Set<string>>();
  // Bumped by every change heard: a read that started before one may be stale and is not kept.
  let changes = 0;
  const reading = new Map<string, { value: Promise<Value>; changesBefore: number }>();

  const forgetKey = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    keysOfRow.get(entry.rowId)?.delete(key);
  };
  const forgetRow = (rowId: string | undefined) => {
    changes++;
    if (rowId === undefined) {
      entries.clear();
      keysOfRow.clear();
      return;
    }
    for (const key of keysOfRow.get(rowId) ?? []) entries.delete(key);
    keysOfRow.delete(rowId);
  };
  feed.subscribe(table, forgetRow);

  return {
    async find(key, load, rowIdOf) {
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now() && feed.live()) return hit.value;
      if (hit) forgetKey(key);
      const shared = reading.get(key);
      if (shared && shared.changesBefore === changes) return shared.value;
      const changesBefore = changes;
      const read = (async () => {
        const value = await load();
        const rowId = rowIdOf(value);
        if (rowId !== undefined && feed.live() && changes === changesBefore) {
          entries.set(key, { value, rowId, expiresAt: now() + options.ttlMs });
          keysOfRow.set(rowId, (keysOfRow.get(rowId) ?? new Set()).add(key));
          if (entries.size > options.maxEntries) forgetKey(entries.keys().next().value!);
        }
        return value;
      })();
      reading.set(key, { value: read, changesBefore });
      try {
        return await read;
      } finally {
        if (reading.get(key)?.value === read) reading.delete(key);
      }
    },
    forget: forgetRow,
  };
}
