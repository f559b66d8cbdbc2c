import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres.ts';
import type { Logger } from '../../src/platform/logger.ts';
import { freePort } from '#platform/net/free-port.ts';

export type BenchDatabase = {
  /** A scratch database of its own, dropped by `close`. */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
};

/**
 * The PostgreSQL a benchmark runs on: TEST_DATABASE_URL or DATABASE_URL when set, otherwise an
 * embedded one in a temp dir; either way a fresh scratch database, so runs never mix.
 */
export async function openBenchDatabase(log: Logger): Promise<BenchDatabase> {
  let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const scratch = serverUrl ? undefined : await mkdtemp(path.join(tmpdir(), 'veridity-bench-pg-'));
  const embedded = scratch ? await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), port: await freePort(), log }) : undefined;
  serverUrl ??= embedded!.url;
  const name = `veridity_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    embedded: embedded !== undefined,
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await embedded?.stop();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}
