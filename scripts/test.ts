/**
 * `npm test`: type check, then every test file (units in src/, end-to-end in test/) against a
 * real PostgreSQL: TEST_DATABASE_URL when set, otherwise an embedded PostgreSQL started here
 * for this run. Each test file creates its own database on that server.
 * Extra arguments narrow the files: `npm test -- test/clients.test.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { createLogger } from '#platform/logger.ts';
import { freePort } from '#platform/net/free-port.ts';

const root = path.resolve(import.meta.dirname, '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const files = process.argv.slice(2);
const patterns = files.length > 0 ? files : ['src/**/*.test.ts', 'sdk/**/*.test.ts', 'test/**/*.test.ts'];

console.log('> tsc --noEmit');
if ((await run(path.join(root, 'node_modules/.bin/tsc'), ['--noEmit'])) !== 0) {
  console.error('type check failed');
  process.exit(1);
}

let embedded: EmbeddedPostgres | undefined;
let scratch: string | undefined;
const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-test-pg-'));
  embedded = await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), port: await freePort(), log: createLogger('warn') });
  env.TEST_DATABASE_URL = embedded.url;
  console.log('> embedded PostgreSQL for this run is up');
} else {
  console.log(`> using TEST_DATABASE_URL (${new URL(env.TEST_DATABASE_URL).host})`);
}

let code = 1;
try {
  code = await run(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...patterns], env);
} finally {
  await embedded?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
process.exit(code);
