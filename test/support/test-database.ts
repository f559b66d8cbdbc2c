import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { wrapPool, type Db } from '#platform/db/database.ts';
import { runMigrations } from '#platform/db/migrate.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';

export type TestDatabase = { url: string; pool: Pool; db: Db; drop(): Promise<void> };

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`, which provides a PostgreSQL');
  return url;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh database of its own on the test server, optionally migrated; dropped by `drop()`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `veridity_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = withDatabase(serverUrl(), name);
  const pool = createPool(url, { max: 10, log: createLogger('silent') });
  if (options.migrate !== false) await runMigrations(pool);
  return {
    url,
    pool,
    db: wrapPool(pool),
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
