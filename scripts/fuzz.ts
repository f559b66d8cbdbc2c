/**
 * `npm run fuzz -- [--requests N] [--seed S]`: the long fuzz run over every operation in
 * /openapi.json (the short one is test/fuzz.test.ts). Prints requests per status code and each
 * distinct 5xx; exits 1 on any 5xx. Uses TEST_DATABASE_URL when set, otherwise an embedded
 * PostgreSQL started for this run (like `npm test`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { createLogger } from '#platform/logger.ts';
import { freePort } from '#platform/net/free-port.ts';
import { createTestApp } from '#test/support/test-app.ts';
import { distinctFailures, formatFailure, prepareFuzzTarget, runFuzz } from '#test/support/openapi-fuzzer.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, seed: { type: 'string' } } });
const requests = Number(values.requests);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(values.seed);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: npm run fuzz -- [--requests N] [--seed S]');
  process.exit(2);
}

let embedded: EmbeddedPostgres | undefined;
let scratch: string | undefined;
if (!process.env.TEST_DATABASE_URL) {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-fuzz-pg-'));
  embedded = await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), port: await freePort(), log: createLogger('warn') });
  process.env.TEST_DATABASE_URL = embedded.url;
}

let exitCode = 1;
try {
  const t = await createTestApp({ bundledCircuits: true });
  try {
    const { document, credentials } = await prepareFuzzTarget(t);
    console.log(`fuzzing ${requests} requests, seed ${seed}`);
    const started = Date.now();
    const report = await runFuzz({
      app: t.app, document, credentials, seed, requests, logs: t.logs,
      onProgress: (done) => process.stdout.write(`  ${done} requests\r`),
    });
    console.log(`\n${report.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
    console.log('requests per status code:');
    for (const [status, count] of Object.entries(report.statusCounts)) console.log(`  ${status}: ${count}`);
    if (report.unsendable.length > 0) console.log(`${report.unsendable.length} requests app.inject refused to send (first: ${report.unsendable[0]!.mutation}: ${report.unsendable[0]!.message})`);
    const distinct = distinctFailures(report.failures);
    if (distinct.length > 0) {
      console.log(`\n${report.failures.length} requests answered 5xx; ${distinct.length} distinct causes:`);
      for (const group of distinct) console.log(`\n[x${group.count}] ${group.key}\n${formatFailure(group.example)}`);
    }
    exitCode = report.failures.length > 0 ? 1 : 0;
  } finally {
    await t.close();
  }
} finally {
  await embedded?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
