/**
 * deploy/Dockerfile where no Docker daemon runs: its rules are checked as written (base pinned by
 * digest, a non-root user, a health check, the CLI as entry point, every COPY source in the build
 * context under .dockerignore), then its runtime stage is replayed in an empty directory standing
 * for the image's /app: the files it copies from the context, its `npm ci --omit=dev` (offline,
 * from npm's cache), then `migrate` and `serve` as the ENTRYPOINT and CMD say, on a database of
 * the test server, probed with the image's own HEALTHCHECK command. Nothing may be written in the
 * application directory (the image runs with a read-only root file system): only the data volume
 * and the temporary folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ADDON_FILE } from '#modules/zk/groth16/native-pairing.ts';
import { contextFiles, envOf, execForm, parseDockerfile, parseDockerIgnore, type Stage } from './support/dockerfile.ts';
import { cleanEnv, freePort, ROOT, waitFor } from './support/processes.ts';
import { createTestDatabase } from './support/test-database.ts';

const dockerfile = parseDockerfile(await readFile(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const ignore = parseDockerIgnore(await readFile(path.join(ROOT, '.dockerignore'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const stageNames = new Set(dockerfile.stages.map((stage) => stage.name).filter(Boolean));

const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-dockerfile-'));
after(() => rm(scratch, { recursive: true, force: true }));

const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).at(-1);
const copies = (stage: Stage) => stage.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.from);

/** COPY's sources and destination (exec or shell form). */
function copyPaths(args: string): { sources: string[]; dest: string } {
  const parts = execForm(args) ?? args.split(/\s+/);
  return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** A process run to its end, with what it printed. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Every file of a tree with its size and modification time: what "nothing was written" compares. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const info = await stat(file).catch(() => undefined);
    files.set(path.relative(dir, file), info ? `${entry.isDirectory() ? 'dir' : info.size} ${info.mtimeMs}` : 'dangling');
  }
  return files;
}

test('the image: base pinned by digest, a non-root user, a health check, the CLI as entry point with serve by default', () => {
  for (const stage of dockerfile.stages) {
    if (stageNames.has(stage.image)) continue;
    assert.match(stage.image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `FROM ${stage.image} is not pinned by digest`);
  }
  const user = last(runtime, 'USER')?.args;
  assert.ok(user, 'the runtime stage sets no USER: it would run as root');
  assert.doesNotMatch(user, /^(root|0)(:|$)/);

  const healthcheck = last(runtime, 'HEALTHCHECK');
  assert.ok(healthcheck, 'no HEALTHCHECK');
  assert.match(healthcheck.args, /^CMD /);
  assert.deepEqual(execForm(healthcheck.args.replace(/^CMD /, '')), ['node', 'deploy/healthcheck.ts']);

  assert.deepEqual(execForm(last(runtime, 'ENTRYPOINT')!.args), ['/app/bin/veridity']);
  assert.deepEqual(execForm(last(runtime, 'CMD')!.args), ['serve']);
  assert.equal(last(runtime, 'WORKDIR')?.args, '/app');
  assert.equal(envOf(runtime).VERIDITY_DATA_DIR, '/data');
  assert.match(last(runtime, 'VOLUME')?.args ?? '', /"\/data"/);

  // The final stage installs production dependencies only; only the console stage builds.
  const installs = runtime.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
  assert.equal(installs.length, 1);
  assert.match(installs[0]!.args, /^npm ci --omit=dev\b/);
});

test('every COPY source exists and is in the build context; the context leaves out tests, local data, secrets and installed trees', async () => {
  for (const stage of dockerfile.stages) {
    for (const instruction of copies(stage)) {
      for (const source of copyPaths(instruction.args).sources) {
        const relative = source.replace(/\/$/, '');
        const info = await stat(path.join(ROOT, relative)).catch(() => undefined);
        assert.ok(info, `COPY ${source}: no such file in the repository`);
        assert.equal(ignore.excluded(relative), false, `COPY ${source}: .dockerignore leaves it out of the context`);
        if (info.isDirectory()) assert.ok((await contextFiles(ROOT, relative, ignore)).length > 0, `COPY ${source}: nothing of it is in the context`);
      }
    }
  }
  for (const file of ['src/config.ts', 'bin/veridity', 'package-lock.json', 'circuits/artifacts/manifest.json', 'src/db/migrations/0001_init.sql', 'native/bn254-pairing/src/bn254.c']) {
    assert.equal(ignore.excluded(file), false, `${file} should be in the context`);
  }
  for (const file of ['src/config.test.ts', 'test/clients.test.ts', '.git/HEAD', 'data/encryption.key', 'deploy/.env', '.env', 'node_modules/pg/package.json', 'web/node_modules/vite/package.json', 'web/dist/index.html', 'circuits/src/age_over_18.circom', ADDON_FILE]) {
    assert.equal(ignore.excluded(file), true, `${file} should be left out of the context`);
  }
});

test("the native stage builds the BN254 addon with package.json's install script; the runtime copies it to where the verifier loads it", async () => {
  const native = dockerfile.stages.find((stage) => stage.name === 'native');
  assert.ok(native, 'no native stage: the image would verify proofs with mcl-wasm');
  assert.ok(native.instructions.some((i) => i.keyword === 'RUN' && /apt-get install\b.*\bg\+\+/.test(i.args)), 'the native stage installs no C compiler');
  const copied = copies(native).flatMap((i) => copyPaths(i.args).sources);
  assert.deepEqual(copied.sort(), ['native/bn254-pairing/', 'package.json']);
  assert.ok(native.instructions.some((i) => i.keyword === 'RUN' && i.args === 'npm run install'), 'the native stage does not run the install script');
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(manifest.scripts.install!, /node-gyp rebuild --directory=native\/bn254-pairing\b/);
  const gyp = JSON.parse(await readFile(path.join(ROOT, 'native/bn254-pairing/binding.gyp'), 'utf8')) as { targets: Array<{ target_name: string }> };
  assert.equal(`native/bn254-pairing/build/Release/${gyp.targets[0]!.target_name}.node`, ADDON_FILE);

  const fromNative = runtime.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from === 'native');
  assert.equal(fromNative.length, 1, 'the runtime should copy the built addon from the native stage');
  const { sources, dest } = copyPaths(fromNative[0]!.args);
  assert.deepEqual(sources, [path.posix.join(last(native, 'WORKDIR')!.args, ADDON_FILE)]);
  const workdir = last(runtime, 'WORKDIR')!.args;
  assert.equal(path.posix.join(path.posix.resolve(workdir, dest), path.posix.basename(ADDON_FILE)), path.posix.join(workdir, ADDON_FILE));
});

test("the runtime stage, replayed in a clean directory: npm ci --omit=dev, then migrate and serve answer the image's health check without writing outside the data volume", { timeout: 300_000 }, async (t) => {
  if (!process.env.TEST_DATABASE_URL) return t.skip('TEST_DATABASE_URL is not set (npm test provides it)');
  const workdir = last(runtime, 'WORKDIR')!.args;
  const app = path.join(scratch, 'app');
  const data = path.join(scratch, 'data');
  const temporary = path.join(scratch, 'tmp');
  await Promise.all([mkdir(app), mkdir(data), mkdir(temporary)]);
  const inApp = (dest: string) => path.join(app, path.posix.relative(workdir, path.posix.resolve(workdir, dest)));
  // Node 24 first on PATH, as in the image; npm's settings from an outer `npm test` left out.
  const baseEnv = Object.fromEntries(Object.entries(cleanEnv({})).filter(([name]) => !/^npm_/i.test(name)));
  const imageEnv = { ...baseEnv, ...envOf(runtime), PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };

  // Dockerfile order: files copied from the context, and the dependency install among them.
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'COPY' && !instruction.flags.from) {
      const { sources, dest } = copyPaths(instruction.args);
      for (const source of sources) {
        const relative = source.replace(/\/$/, '');
        const isDir = (await stat(path.join(ROOT, relative))).isDirectory();
        const files = isDir ? await contextFiles(ROOT, relative, ignore) : [relative];
        for (const file of files) {
          const target = isDir ? path.join(inApp(dest), path.relative(relative, file)) : dest.endsWith('/') ? path.join(inApp(dest), path.basename(file)) : inApp(dest);
          await mkdir(path.dirname(target), { recursive: true });
          await copyFile(path.join(ROOT, file), target);
        }
      }
    } else if (instruction.keyword === 'RUN' && /^npm ci\b/.test(instruction.args)) {
      const [command = '', ...args] = instruction.args.split(/\s+/);
      const installed = await run(command, [...args, '--offline'], { cwd: app, env: imageEnv });
      if (installed.code !== 0 && /ENOTCACHED|ECONNREFUSED|EAI_AGAIN/.test(installed.output)) {
        return t.skip(`npm's cache lacks some packages and the registry is not reachable offline: ${installed.output.split('\n').find((line) => /ENOTCACHED|ECONN|EAI_AGAIN/.test(line))}`);
      }
      assert.equal(installed.code, 0, `${instruction.args} failed:\n${installed.output}`);
    }
  }
  // What the console stage builds is not replayed: the server runs without web/dist.
  t.diagnostic(`not replayed: ${runtime.instructions.filter((i) => i.flags.from || (i.keyword === 'RUN' && !/^npm ci\b/.test(i.args))).map((i) => `${i.keyword}${i.flags.from ? ` --from=${i.flags.from}` : ''} ${i.args.slice(0, 40)}`).join(' | ')}`);
  await assert.rejects(stat(path.join(app, 'node_modules/node')), 'the node devDependency must not be installed: Node comes from the base image');
  await stat(path.join(app, 'node_modules/fastify/package.json'));

  const before = await snapshot(app);
  const database = await createTestDatabase({ migrate: false });
  t.after(() => database.drop());
  const port = await freePort();
  const env = {
    ...imageEnv,
    DATABASE_URL: database.url,
    VERIDITY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    VERIDITY_ADMIN_TOKEN: `vat_${randomBytes(24).toString('hex')}`,
    VERIDITY_EMBEDDED_WORKERS: 'false',
    VERIFIER_THREADS: '1',
    // The volume and /tmp; the image's HOST (all interfaces) narrowed to loopback on this shared machine.
    VERIDITY_DATA_DIR: data,
    TMPDIR: temporary,
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  const entrypoint = execForm(last(runtime, 'ENTRYPOINT')!.args)!.map((part, i) => (i === 0 ? inApp(part) : part));
  const [bin = '', ...entryArgs] = entrypoint;

  const migrated = await run(bin, [...entryArgs, 'migrate'], { cwd: app, env });
  assert.equal(migrated.code, 0, `migrate failed:\n${migrated.output}`);

  const server = spawn(bin, [...entryArgs, ...execForm(last(runtime, 'CMD')!.args)!], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk));
  server.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  t.after(() => server.kill('SIGKILL'));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000, 'serve from the replayed image').catch((error: Error) => {
    throw new Error(`${error.message}; its output:\n${output}`);
  });

  const [probe = '', ...probeArgs] = execForm(last(runtime, 'HEALTHCHECK')!.args.replace(/^CMD /, ''))!;
  const healthy = await run(probe, probeArgs, { cwd: app, env });
  assert.equal(healthy.code, 0, `the HEALTHCHECK command failed:\n${healthy.output}`);
  assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  // The same check fails when nothing answers: it cannot pass by accident.
  const dead = await run(probe, [...probeArgs, `http://127.0.0.1:${await freePort()}/healthz`], { cwd: app, env });
  assert.equal(dead.code, 1);

  server.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.deepEqual(await snapshot(app), before, 'the application directory changed: the image could not run with a read-only root file system');
});
