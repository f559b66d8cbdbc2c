import type { Config } from '#src/config.ts';
import { openDatabase } from '#platform/db/database.ts';
import { runMigrations } from '#platform/db/migrate.ts';
import { createLogger } from '#platform/logger.ts';

/** `veridity migrate`: apply pending migrations and report what was done. */
export async function migrate(config: Config): Promise<void> {
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, log);
  try {
    const report = await runMigrations(database.pool);
    await database.pool.query('SELECT ensure_proofs_partitions(current_date, 2)');
    console.log(
      report.applied.length > 0
        ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
        : `database is up to date (${report.alreadyApplied} migration(s) applied before)`,
    );
  } finally {
    await database.close();
  }
}
