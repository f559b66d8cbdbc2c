import type { Config } from '#src/config.ts';
import { openDatabase } from '#platform/db/database.ts';
import { runMigrations } from '#platform/db/migrate.ts';
import { createLogger } from '#platform/logger.ts';
import { setIngestRolePassword } from '#modules/evidence/agents/set-ingest-role-password.ts';
import { CliError } from './cli-error.ts';

/**
 * `veridity migrate`: apply pending migrations and report what was done; with INGEST_DATABASE_URL,
 * give the ingest gateway's role that URL's password (deployments keep it in one secret).
 */
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
    if (config.ingestDatabaseUrl) {
      const ingestRole = await setIngestRolePassword(database.pool, config.ingestDatabaseUrl);
      if (!ingestRole.ok) throw new CliError(`cannot set the ingest gateway's password: ${ingestRole.problem}`, 1);
      console.log(ingestRole.changed ? "set veridity_ingest's password from INGEST_DATABASE_URL" : 'INGEST_DATABASE_URL has no password: veridity_ingest left as it is');
    }
  } finally {
    await database.close();
  }
}
