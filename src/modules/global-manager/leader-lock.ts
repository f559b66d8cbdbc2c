import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from '#platform/logger.ts';
import { databaseErrorFields } from '#platform/db/database-unavailable.ts';

/** Arbitrary constant (next to the migration lock, 7_246_831_001): one global manager leader per database. */
export const GLOBAL_MANAGER_LOCK_KEY = 7_246_831_003;

/** Who runs: the lock connection's application_name, what pg_stat_activity shows for the leader. */
export const RUNNER_NAME = `veridity-global-manager:${hostname()}:${process.pid}`.slice(0, 63);

export type LeaderLock = {
  /** Aborted when the connection holding the lock is lost: the lock is gone with it. */
  lost: AbortSignal;
  release(): Promise<void>;
};

/**
 * Tries once to become the leader: a session-level advisory lock on a connection of its own (not
 * the pool's), held for the life of the leadership. PostgreSQL releases a session lock when its
 * connection ends, so a leader killed (kill -9, a lost host) frees it as soon as the server sees
 * the connection gone (TCP keepalive bounds that for a vanished host). Undefined: another leads.
 */
export async function tryLeaderLock(connectionString: string, log: Logger): Promise<LeaderLock | undefined> {
  const client = new pg.Client({ connectionString, application_name: RUNNER_NAME, keepAlive: true, connectionTimeoutMillis: 5_000 });
  const lost = new AbortController();
  client.on('error', (error) => {
    log.warn(databaseErrorFields(error), 'global manager: lock connection lost');
    lost.abort(error);
  });
  client.on('end', () => lost.abort(new Error('lock connection ended')));
  await client.connect();
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [GLOBAL_MANAGER_LOCK_KEY]);
    locked = rows[0]!.locked;
  } finally {
    if (!locked) await client.end().catch(() => {});
  }
  if (!locked) return undefined;
  return {
    lost: lost.signal,
    async release() {
      if (lost.signal.aborted) return;
      // Ending the session releases the lock: no unlock round trip that could fail half-way.
      await client.end().catch(() => {});
    },
  };
}
