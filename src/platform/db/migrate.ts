import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Pool, PoolClient } from './pool.ts';

export const MIGRATIONS_DIR = new URL('../../db/migrations/', import.meta.url);

export type Migration = { version: number; name: string; sql: string; checksum: string };

const label = (m: Migration) => `${String(m.version).padStart(4, '0')}_${m.name}`;

// Arbitrary constant: every replica takes the same session-level advisory lock before migrating.
const MIGRATION_LOCK_KEY = 7_246_831_001;

export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(new URL(file, dir), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export type MigrationReport = { applied: string[]; alreadyApplied: number };

/**
 * Applies pending forward-only migrations, each in its own transaction, under an advisory lock
 * so replicas starting together do not race. An applied migration whose file changed is an error:
 * migrations are never edited, only added.
 */
export async function runMigrations(pool: Pool, dir: URL = MIGRATIONS_DIR): Promise<MigrationReport> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_LEDGER);
    const { rows } = await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const applied = new Map(rows.map((row) => [row.version, row.checksum]));
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      const checksum = applied.get(migration.version);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`migration ${label(migration)} was changed after it was applied`);
        }
        report.alreadyApplied++;
        continue;
      }
      await client.query('BEGIN');
      try {
        await applyMigration(client, migration);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${label(migration)} failed: ${(error as Error).message}`, { cause: error });
      }
      report.applied.push(label(migration));
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    client.release();
  }
}

async function applyMigration(client: PoolClient, migration: Migration): Promise<void> {
  await client.query(migration.sql);
  await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, migration.checksum]);
}

/**
 * Creates the ledger and applies `migrations` (in order) inside the caller's open transaction, on
 * an empty database: a restore builds the backup's schema and loads its rows in one transaction.
 */
export async function applyMigrationsInTransaction(client: PoolClient, migrations: Migration[]): Promise<void> {
  await client.query(CREATE_LEDGER);
  for (const migration of migrations) {
    try {
      await applyMigration(client, migration);
    } catch (error) {
      throw new Error(`migration ${label(migration)} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Versions present on disk but not applied in the database (used by readiness). */
export async function pendingMigrations(pool: Pool, migrations: Migration[]): Promise<number[]> {
  const exists = await pool.query<{ found: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS found");
  if (!exists.rows[0]?.found) return migrations.map((m) => m.version);
  const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => row.version));
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.version);
}
