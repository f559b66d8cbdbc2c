/**
 * `npm test`: type check, then every test file (units in src/, end-to-end in test/) against a
 * real PostgreSQL: TEST_DATABASE_URL when set, otherwise an embedded PostgreSQL started here
 * for this run. Each test file creates its own database on that server.
 * The web console (web/) is type checked too, its component tests run with Vitest, and it is
 * built (when its sources changed) before the browser tests.
 * Extra arguments narrow the files: `npm test -- test/clients.test.ts`; files under web/ are
 * Vitest's (`npm test -- web/src/lib/check-receipt`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { createLogger } from '#platform/logger.ts';
import { freePort } from '#platform/net/free-port.ts';
import { createTemplateDatabase } from '../test/support/test-database.ts';
import { buildConsole } from './build-console.ts';

const root = path.resolve(import.meta.dirname, '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** A step run with its output held back and printed whole when it ends, so steps run side by side stay readable. */
type Step = { title: string; failure: string; run(): Promise<{ ok: boolean; output: string }> };

function commandStep(title: string, failure: string, command: string, args: string[]): Step {
  return {
    title,
    failure,
    run: () =>
      new Promise((resolve) => {
        const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => resolve({ ok: code === 0, output }));
      }),
  };
}

/** Runs the steps two at a time (one per core); the first failure ends the run once the running steps are done. */
async function runSteps(steps: Step[]): Promise<void> {
  const waiting = [...steps];
  let failed = false;
  const lane = async () => {
    for (let step = waiting.shift(); step && !failed; step = waiting.shift()) {
      const started = Date.now();
      const { ok, output } = await step.run();
      console.log(`> ${step.title} (${((Date.now() - started) / 1000).toFixed(1)} s)${output ? `\n${output.trimEnd()}` : ''}`);
      if (!ok) {
        console.error(step.failure);
        failed = true;
      }
    }
  };
  await Promise.all([lane(), lane()]);
  if (failed) process.exit(1);
}

const files = process.argv.slice(2);
const webFiles = files.filter((file) => file.startsWith('web/')).map((file) => file.slice('web/'.length));
const nodeFiles = files.filter((file) => !file.startsWith('web/'));
const patterns = files.length > 0 ? nodeFiles : ['src/**/*.test.ts', 'sdk/**/*.test.ts', 'test/**/*.test.ts'];

const tsc = path.join(root, 'node_modules/.bin/tsc');
// The server's code; the console's as the browser runs it (no Node types); its tests and build
// config. Then its component tests, and its build (when its sources changed) for the browser tests.
await runSteps([
  ...[['--noEmit'], ['--noEmit', '-p', 'web'], ['--noEmit', '-p', 'web/tsconfig.test.json']].map((args) => commandStep(`tsc ${args.join(' ')}`, 'type check failed', tsc, args)),
  ...(files.length === 0 || webFiles.length > 0
    ? [commandStep('vitest run --root web', 'console component tests failed', path.join(root, 'node_modules/.bin/vitest'), ['run', '--root', 'web', ...webFiles])]
    : []),
  ...(patterns.length > 0
    ? [{ title: 'build the console (web/dist) when its sources changed', failure: 'the console build failed', run: () => buildConsole({ quiet: true }).then((result) => ({ ok: true, output: result }), (error: Error) => ({ ok: false, output: error.stack ?? String(error) })) }]
    : []),
]);
if (patterns.length === 0) process.exit(0);

let embedded: EmbeddedPostgres | undefined;
let scratch: string | undefined;
// Every test file and every server it starts compiles the same modules: V8's code cache, kept
// between runs in node_modules/.cache, saves a fifth of each process's start-up.
const env: NodeJS.ProcessEnv = { NODE_COMPILE_CACHE: path.join(root, 'node_modules/.cache/node-compile-cache'), ...process.env };
if (!env.TEST_DATABASE_URL) {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-test-pg-'));
  embedded = await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), port: await freePort(), log: createLogger('warn') });
  env.TEST_DATABASE_URL = embedded.url;
  console.log('> embedded PostgreSQL for this run is up');
} else {
  console.log(`> using TEST_DATABASE_URL (${new URL(env.TEST_DATABASE_URL).host})`);
}

// Every test file's databases are copies of one migrated here (see test/support/test-database.ts).
const template = await createTemplateDatabase(env.TEST_DATABASE_URL);
env.TEST_TEMPLATE_DATABASE = template.name;

let code = 1;
try {
  const preload = ['--import', path.join(root, 'test/support/register-module-hooks.ts')];
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${path.join(root, 'scripts/file-times-reporter.ts')}`, '--test-reporter-destination=stdout'];
  code = await run(process.execPath, [...preload, '--test', '--test-concurrency=2', '--test-timeout=300000', ...reporters, ...patterns], env);
} finally {
  await template.drop();
  await embedded?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
process.exit(code);
