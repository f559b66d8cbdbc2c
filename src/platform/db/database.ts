import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Config } from '#src/config.ts';
import type { Logger } from '#platform/logger.ts';
import { embeddedClusterExists, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { createPool, type Pool } from './pool.ts';

export type Db = NodePgDatabase;

export type Database = {
  url: string;
  pool: Pool;
  db: Db;
  /** Set on the embedded default: where it runs, and whether this process started it. */
  embedded: Pick<EmbeddedPostgres, 'port' | 'clusterDir' | 'attached'> | undefined;
  close(): Promise<void>;
};

export function wrapPool(pool: Pool): Db {
  return drizzle({ client: pool });
}

export function embeddedClusterPath(config: Config): string {
  return path.join(config.dataDir, 'postgres');
}

function onPool(config: Config, log: Logger, url: string, embedded: EmbeddedPostgres | undefined): Database {
  const pool = createPool(url, { max: config.databasePoolMax, log });
  return {
    url,
    pool,
    db: wrapPool(pool),
    embedded: embedded && { port: embedded.port, clusterDir: embedded.clusterDir, attached: embedded.attached },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

/** The configured PostgreSQL, or the embedded one in `<data dir>/postgres` when DATABASE_URL is unset (created on first use). */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  if (config.databaseUrl) return onPool(config, log, config.databaseUrl, undefined);
  const embedded = await startEmbeddedPostgres({ dir: embeddedClusterPath(config), port: config.embeddedPostgresPort, log: log.child({ component: 'embedded-postgres' }) });
  return onPool(config, log, embedded.url, embedded);
}

export type ExistingDatabase = { ok: true; database: Database } | { ok: false; code: 'NO_DATA'; dataDir: string };

/**
 * For operator commands: the configured PostgreSQL, or the embedded one only when the data dir
 * already holds it (never a new, empty one), shared with the server when it is running.
 */
export async function openExistingDatabase(config: Config, log: Logger): Promise<ExistingDatabase> {
  if (config.databaseUrl) return { ok: true, database: onPool(config, log, config.databaseUrl, undefined) };
  const dir = embeddedClusterPath(config);
  if (!(await embeddedClusterExists(dir))) return { ok: false, code: 'NO_DATA', dataDir: config.dataDir };
  const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPostgresPort, log: log.child({ component: 'embedded-postgres' }), attach: true });
  return { ok: true, database: onPool(config, log, embedded.url, embedded) };
}
