import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';

/** What authentication read: the stored `last_used` of the partner and, for an API key, of the key. */
type Used = { id: string; lastUsed: Date | null };
type UsedKey = { id: string; lastUsedAt: Date | null };

export type LastUsedTracker = {
  /** Remembers a use of the partner and of its key (none for an access token), as stored at authentication time. */
  touch(client: Used, key: UsedKey | undefined, at: Date): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
};

/** Coarse enough for "when was this key last used?", fine enough to spot a dormant key. */
const RESOLUTION_MS = 60_000;

/** Uses gathered in memory, by row id: a use is kept only when the stored value is a minute old. */
function pendingUses() {
  const pending = new Map<string, Date>();
  return {
    remember(id: string, at: Date, stored: Date | null) {
      if (stored && at.getTime() - stored.getTime() < RESOLUTION_MS) return;
      const known = pending.get(id);
      if (!known || known < at) pending.set(id, at);
    },
    /** The uses gathered so far, as query parameters; forgotten here. */
    take(): [string[], string[]] | undefined {
      if (pending.size === 0) return undefined;
      const ids = [...pending.keys()];
      const times = ids.map((id) => pending.get(id)!.toISOString());
      pending.clear();
      return [ids, times];
    },
  };
}

/**
 * Keeps `last_used` of partners and `last_used_at` of their keys fresh without a write per
 * request: uses are gathered in memory and written in one statement per table and flush.
 */
export function createLastUsedTracker(deps: { pool: Pool; log: Logger; flushIntervalMs?: number }): LastUsedTracker {
  const clients = pendingUses();
  const keys = pendingUses();
  const timer = setInterval(() => void flush(), deps.flushIntervalMs ?? 15_000);
  timer.unref();

  async function write(statement: string, uses: [string[], string[]] | undefined): Promise<void> {
    if (!uses) return;
    try {
      await deps.pool.query(statement, uses);
    } catch (error) {
      deps.log.warn({ err: error }, 'could not record last_used');
    }
  }

  async function flush(): Promise<void> {
    await write(
      `UPDATE api_clients c SET last_used = u.at
         FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
        WHERE c.id = u.id AND (c.last_used IS NULL OR c.last_used < u.at)`,
      clients.take(),
    );
    await write(
      `UPDATE api_keys k SET last_used_at = u.at
         FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
        WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
      keys.take(),
    );
  }

  return {
    touch(client, key, at) {
      clients.remember(client.id, at, client.lastUsed);
      if (key) keys.remember(key.id, at, key.lastUsedAt);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
