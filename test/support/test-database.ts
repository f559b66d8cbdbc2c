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

/**
 * A database migrated once for the whole run (`npm test` makes it and names it in
 * TEST_TEMPLATE_DATABASE): copying it is about ten times faster than migrating a new one, and
 * the suite makes well over a hundred. Without it (a test file run by itself) each is migrated.
 */
const TEMPLATE = process.env.TEST_TEMPLATE_DATABASE;

/** Makes and migrates the run's template database on the server at `serverUrl`; `drop()` removes it. */
export async function createTemplateDatabase(serverUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `veridity_template_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const pool = createPool(withDatabase(serverUrl, name), { max: 1, log: createLogger('silent') });
  try {
    await runMigrations(pool);
  } finally {
    await pool.end();
  }
  return {
    name,
    async drop() {
      await onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function onServer<T>(url: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh database of its own on the test server, optionally migrated; dropped by `drop()`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `veridity_test_${randomBytes(6).toString('hex')}`;
  const fromTemplate = options.migrate !== false && TEMPLATE !== undefined;
  await onServer(serverUrl(), async (admin) => {
    await admin.query(fromTemplate ? `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}` : `CREATE DATABASE ${name}`);
    // A copy does not take the template's database-level grants (migration 0016 gives the ingest role CONNECT).
    if (fromTemplate) await admin.query(`DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'veridity_ingest') THEN GRANT CONNECT ON DATABASE ${name} TO veridity_ingest; END IF; END $$`);
  });

  const url = withDatabase(serverUrl(), name);
  const pool = createPool(url, { max: 10, log: createLogger('silent') });
  if (options.migrate !== false && !fromTemplate) await runMigrations(pool);
  return {
    url,
    pool,
    db: wrapPool(pool),
    async drop() {
      await pool.end();
      await onServer(serverUrl(), (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
