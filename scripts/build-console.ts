/**
 * Builds the web console (web/) into web/dist with Vite, when its sources changed since the
 * build there: a SHA-256 of the sources (and of package-lock.json, for the libraries) is kept in
 * web/dist/.source-hash, so `npm start` (prestart) and `npm test` rebuild only when needed.
 * The build goes to a staging folder first and replaces web/dist only once it succeeded; a lock
 * makes concurrent runs (parallel test files) wait for one build instead of racing.
 * Usage: node scripts/build-console.ts [--force]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '..');
const WEB = path.join(ROOT, 'web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.source-hash');
const LOCK = path.join(WEB, '.build-lock');
/** What the build reads; tests (*.test.ts, *.test.tsx) do not change it. */
const INPUTS = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'web/package.json', 'package-lock.json'];
const LOCK_WAIT_MS = 10 * 60_000;

async function filesUnder(relative: string): Promise<string[]> {
  const info = await stat(path.join(ROOT, relative)).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [relative];
  const entries = await readdir(path.join(ROOT, relative), { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => filesUnder(path.posix.join(relative, entry.name))));
  return nested.flat().filter((file) => !/\.test\.tsx?$/.test(file));
}

/** SHA-256 over every input file's path and content, in a stable order. */
export async function consoleSourceHash(): Promise<string> {
  const files = (await Promise.all(INPUTS.map(filesUnder))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join(ROOT, file))).update('\0');
  return hash.digest('hex');
}

const builtHash = () => readFile(STAMP, 'utf8').catch(() => undefined);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` holding web/.build-lock (a directory: creating it is atomic); a lock left by a dead process is taken over. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path.join(LOCK, 'pid'), 'utf8').catch(() => ''));
      // No pid yet: the holder is between mkdir and writeFile; a dead holder's lock is stale.
      if (holder > 0 && !isAlive(holder)) await rm(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`build-console: ${LOCK} is still held by process ${holder || '?'}`);
      else await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

function vite(args: string[], quiet: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), ...args], { cwd: ROOT, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code})${output ? `:\n${output}` : ''}`))));
  });
}

/** Builds the console unless web/dist is the build of the current sources. `quiet`: Vite's output only on failure. */
export async function buildConsole(options: { force?: boolean; quiet?: boolean } = {}): Promise<'fresh' | 'built'> {
  const hash = await consoleSourceHash();
  if (!options.force && (await builtHash()) === hash) return 'fresh';
  return withLock(async () => {
    if (!options.force && (await builtHash()) === hash) return 'fresh'; // built by another process while this one waited
    const staging = path.join(WEB, `.build-${process.pid}`);
    const previous = path.join(WEB, `.build-${process.pid}-previous`);
    try {
      await vite(['build', '--config', path.join(WEB, 'vite.config.ts'), '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'], options.quiet ?? false);
      await writeFile(path.join(staging, '.source-hash'), hash);
      await rename(DIST, previous).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rename(staging, DIST);
    } finally {
      await rm(staging, { recursive: true, force: true });
      await rm(previous, { recursive: true, force: true });
    }
    return 'built';
  });
}

if (import.meta.main) {
  const started = Date.now();
  try {
    const result = await buildConsole({ force: process.argv.includes('--force') });
    console.log(result === 'fresh' ? 'console: web/dist is up to date' : `console: built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
