import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Config } from '#src/config.ts';
import type { Logger } from '#platform/logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { createPool, type Pool } from './pool.ts';

export type Db = NodePgDatabase;

export type Database = {
  url: string;
  pool: Pool;
  db: Db;
  embedded: boolean;
  close(): Promise<void>;
};

export function wrapPool(pool: Pool): Db {
  return drizzle({ client: pool });
}

/** The configured PostgreSQL, or the embedded one in `<data dir>/postgres` when DATABASE_URL is unset. */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dir: path.join(config.dataDir, 'postgres'),
        port: config.embeddedPostgresPort,
        log: log.child({ component: 'embedded-postgres' }),
      });
  const url = config.databaseUrl ?? embedded!.url;
  const pool = createPool(url, { max: config.databasePoolMax, log });
  return {
    url,
    pool,
    db: wrapPool(pool),
    embedded: embedded !== undefined,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
