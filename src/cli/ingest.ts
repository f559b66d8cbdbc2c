import type { Config } from '#src/config.ts';
import { buildIngestApp } from '#src/ingest-app.ts';
import { openStorage } from '#src/runtime.ts';
import { systemClock } from '#platform/clock.ts';
import { databaseErrorFields } from '#platform/db/database-unavailable.ts';
import { pendingMigrations, readMigrations } from '#platform/db/migrate.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { onShutdownSignal } from '#platform/process/on-shutdown-signal.ts';
import { CliError } from './cli-error.ts';

export const INGEST_HELP = `Usage: veridity ingest

Runs the ingest gateway on HOST:PORT: POST /ingest/v1/proofs for enrolled evidence agents and
the health probes (/healthz, /readyz, /metrics), nothing else. It connects to PostgreSQL as
INGEST_DATABASE_URL (required), the least-privileged role veridity_ingest that migration 0016
creates (set its password with ALTER ROLE veridity_ingest PASSWORD '...'), and writes the
submitted documents to the object storage 'serve' reads (VERIDITY_DATA_DIR or S3_*).
It never migrates: 'veridity serve' or 'veridity migrate' must have brought the schema up to
this build's, and the evidence worker (serve or 'veridity worker evidence') must have run once.
Enrollment and the CRLs stay on 'serve' (they need the agent CAs' keys).`;

type DatabaseCheck = { ok: true } | { ok: false; problem: string };

/** Tables the gateway's role must not read: connecting as their owner defeats the gateway. */
const MUST_NOT_READ = ['api_clients', 'api_keys', 'evidence_submissions', 'evidence_agent_cas'];

/**
 * Before serving: the database is reachable, every migration of this build is applied (the
 * role cannot apply them), and the role is the narrow one (it cannot read partners, their API
 * keys, submissions or the agent CAs).
 */
async function checkIngestDatabase(pool: Pool): Promise<DatabaseCheck> {
  let pending: number[];
  try {
    pending = await pendingMigrations(pool, await readMigrations());
  } catch (error) {
    const { error_code: code, error: message } = databaseErrorFields(error);
    if (code === '42501') return { ok: false, problem: 'this role cannot read schema_migrations: migration 0016 (the role veridity_ingest and its rights) is not applied, or INGEST_DATABASE_URL names another role' };
    return { ok: false, problem: `cannot reach the database: ${message}` };
  }
  if (pending.length > 0) {
    return { ok: false, problem: `migrations ${pending.join(', ')} are not applied; this process never migrates: run 'veridity migrate' (or 'veridity serve') with DATABASE_URL first` };
  }
  const { rows } = await pool.query<{ role: string; table: string }>(
    "SELECT current_user AS role, t AS table FROM unnest($1::text[]) t WHERE has_table_privilege(t, 'SELECT')",
    [MUST_NOT_READ],
  );
  if (rows.length > 0) {
    return { ok: false, problem: `INGEST_DATABASE_URL connects as ${rows[0]!.role}, which can read ${rows.map((row) => row.table).join(', ')}: connect as veridity_ingest` };
  }
  return { ok: true };
}

/** `veridity ingest`: the gateway until SIGTERM/SIGINT. */
export async function ingest(config: Config): Promise<void> {
  if (!config.ingestDatabaseUrl) throw new CliError('INGEST_DATABASE_URL is required: a postgres:// URL for the role veridity_ingest (see veridity ingest --help)');
  const log = createLogger(config.logLevel);
  const pool = createPool(config.ingestDatabaseUrl, { max: config.databasePoolMax, log, applicationName: 'veridity-ingest' });
  const checked = await checkIngestDatabase(pool);
  if (!checked.ok) {
    await pool.end();
    throw new CliError(`cannot start the ingest gateway: ${checked.problem}`, 1);
  }
  const app = await buildIngestApp({ config, log, clock: systemClock, pool, storage: openStorage(config) });
  onShutdownSignal(log, 'the ingest gateway', async () => {
    await app.close();
    await pool.end();
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    log.fatal({ err: error }, 'could not listen');
    await pool.end();
    process.exit(1);
  }
  log.info({ routes: app.routeTable.map((route) => `${route.method} ${route.url}`) }, 'Veridity ingest gateway is serving');
}
