import pg from 'pg';
import type { Logger } from '#platform/logger.ts';
import { databaseErrorFields } from './database-unavailable.ts';

/** The channel the `veridity_notify_change()` trigger function (migration 0013) notifies: payload `<table>:<id>`. */
const CHANNEL = 'veridity_changes';
const RECONNECT_MS = { first: 500, max: 30_000 };

/**
 * Row changes announced by the database, for caches of rows that may change in another process
 * (an operator command, another replica). A listener hears the id of each changed row of its
 * table, and `undefined` when changes may have been missed (the connection was lost): then it must
 * forget everything. Caches serve from memory only while `live()`; otherwise they read through.
 */
export type ChangeFeed = {
  subscribe(table: string, listener: (id: string | undefined) => void): void;
  live(): boolean;
  close(): Promise<void>;
};

export function startChangeFeed(deps: { connectionString: string; log: Logger }): ChangeFeed {
  const listeners = new Map<string, ((id: string | undefined) => void)[]>();
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let retryMs = RECONNECT_MS.first;
  let retryTimer: NodeJS.Timeout | undefined;

  const tellAll = (id: string | undefined) => {
    for (const table of listeners.values()) for (const listener of table) listener(id);
  };

  const lost = (error: unknown) => {
    if (closed || client === undefined) return;
    const broken = client;
    client = undefined;
    live = false;
    tellAll(undefined);
    void broken.end().catch(() => {});
    deps.log.warn({ ...databaseErrorFields(error), retry_ms: retryMs }, 'change feed lost its connection; caches read through until it is back');
    retryTimer = setTimeout(connect, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, RECONNECT_MS.max);
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: deps.connectionString, application_name: 'veridity-change-feed' });
    client = next;
    next.on('error', lost);
    next.on('end', () => lost(new Error('connection ended')));
    next.on('notification', (message) => {
      const payload = message.payload ?? '';
      const colon = payload.indexOf(':');
      const table = listeners.get(payload.slice(0, colon));
      if (colon > 0 && table) for (const listener of table) listener(payload.slice(colon + 1));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      if (closed || client !== next) return void next.end().catch(() => {});
      // Whatever was cached before may have changed unheard: start afresh.
      tellAll(undefined);
      live = true;
      retryMs = RECONNECT_MS.first;
    } catch (error) {
      lost(error);
    }
  }
  void connect();

  return {
    subscribe(table, listener) {
      listeners.set(table, [...(listeners.get(table) ?? []), listener]);
    },
    live: () => live,
    async close() {
      closed = true;
      live = false;
      clearTimeout(retryTimer);
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
