import pg from 'pg';
import type { Logger } from '#platform/logger.ts';
import { databaseErrorFields } from './database-unavailable.ts';

// BIGINT (int8) and NUMERIC come back as strings by default; counts and sizes here fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(url: string, options: { max: number; log: Logger; applicationName?: string }): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'veridity',
  });
  releaseBrokenCheckouts(pool);
  // An idle client losing its connection: the pool drops it and connects afresh when next asked.
  pool.on('error', (error) => options.log.warn(databaseErrorFields(error), 'idle database connection lost'));
  return pool;
}

/**
 * pg listens for a client's 'error' only while it is idle in the pool: one whose connection breaks
 * while checked out (mid-transaction, during a webhook attempt) would crash the process. Such a
 * client also goes back to the pool, as broken, at once: its holder learns of the loss from its
 * next query but may never release it (drizzle does not when its BEGIN fails), and every such leak
 * would take a connection from the pool for good. The holder's own release then does nothing.
 */
function releaseBrokenCheckouts(pool: Pool): void {
  const checkedOut = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (!checkedOut.has(client)) return; // idle: the pool drops it and emits 'error'
      const release = client.release;
      client.release = () => {};
      release(error);
    });
  });
}

/** Runs `work` in one transaction on one connection; rolls back on any throw. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
