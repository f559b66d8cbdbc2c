// Runs the naive baseline (server.ts) for the HTTP bench: its own embedded PostgreSQL (the same
// build and settings the real server uses, as a child of this process so its CPU is counted here),
// the bench partners from BASELINE_PARTNERS_FILE, then listens on PORT.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type * as snarkjs from 'snarkjs';
import { startEmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { createLogger } from '#platform/logger.ts';
import { circuitArtifactPaths } from '#modules/zk/credentials/artifact-paths.ts';
import { buildBaselineApp, createSchema, insertPartners } from './server.ts';

const { BASELINE_DATA_DIR, BASELINE_PARTNERS_FILE, PORT } = process.env;
if (!BASELINE_DATA_DIR || !BASELINE_PARTNERS_FILE || !PORT) throw new Error('BASELINE_DATA_DIR, BASELINE_PARTNERS_FILE and PORT are required');

const postgres = await startEmbeddedPostgres({ dir: path.join(BASELINE_DATA_DIR, 'postgres'), log: createLogger('warn') });
const pool = new pg.Pool({ connectionString: postgres.url, max: 10 }); // the real server's default pool size
await createSchema(pool);
await insertPartners(pool, JSON.parse(await readFile(BASELINE_PARTNERS_FILE, 'utf8')) as string[], ['age_over_18']);

const verificationKey = JSON.parse(await readFile(circuitArtifactPaths('age_over_18').verificationKey, 'utf8')) as snarkjs.VerificationKey;
const app = buildBaselineApp(pool, verificationKey);
await app.listen({ port: Number(PORT), host: '127.0.0.1' });

process.once('SIGTERM', async () => {
  await app.close();
  await pool.end();
  await postgres.stop();
  process.exit(0);
});
