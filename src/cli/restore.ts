import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '#src/config.ts';
import { OBJECTS_FOLDER, databaseDigest, digestOf, digestOfFile, keyFingerprint, keyIn, readManifest, type BackupLocation, type BackupManifest } from '#platform/backup/backup-manifest.ts';
import { loadBuiltinDump } from '#platform/backup/load-builtin-dump.ts';
import { keyFilePath, readKeyFile } from '#platform/crypto/encryption-key-file.ts';
import { openDatabase, type Database } from '#platform/db/database.ts';
import { readMigrations } from '#platform/db/migrate.ts';
import { findPgTool, runPgTool, serverMajorVersion } from '#platform/db/pg-client-tools.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage, createS3Storage, type ObjectStorage } from '#platform/storage/object-storage.ts';
import { openStorage } from '#src/runtime.ts';
import { CliError, usageError } from './cli-error.ts';
import { parseOptions } from './parse-options.ts';

export const RESTORE_HELP = `Usage: veridity restore <backup folder> | veridity restore s3:<backup name>

Restores a backup made by 'veridity backup' into the configured place: the database (DATABASE_URL,
or the embedded one in VERIDITY_DATA_DIR, created) and the object store (VERIDITY_DATA_DIR/objects,
or S3_BUCKET). 's3:<name>' reads the backup from BACKUP_S3_BUCKET.

Before anything is written it checks the SHA-256 of the database files and of every object against
the manifest, and that the configured encryption key (VERIDITY_ENCRYPTION_KEY, or
VERIDITY_DATA_DIR/encryption.key put back beforehand) is the backup's: sealed secrets (webhook
secrets, signing keys) are unreadable with another one. The database and the object store must be
empty; a non-empty one is refused. The database is restored in one transaction, the objects after:
a pg_dump backup with pg_restore (of the backup's pg_dump version or newer); a built-in one needs no
client tools: the schema is rebuilt from this Veridity's migrations, up to exactly the backup's
version (a backup with a migration this code lacks is refused), and the rows loaded (binary COPY).
Idempotent: a completed restore run again into the same place says so and succeeds; an
interrupted one is taken up where it stopped (recorded in VERIDITY_DATA_DIR/restore.json).
Start 'veridity serve' afterwards (it applies the migrations newer than the backup).`;

/** Where restore notes its progress, so a re-run knows what is already done. */
type RestoreState = { backup: string; dump_sha256: string; database: 'restored'; objects?: 'restored' };

/** `veridity restore`. */
export async function restoreCommand(config: Config, argv: string[]): Promise<void> {
  const parsed = parseOptions({ args: argv, allowPositionals: true, options: {} }, RESTORE_HELP);
  const [source, ...extra] = parsed.positionals;
  if (!source || extra.length > 0) throw usageError('restore takes one backup: a backup folder, or s3:<backup name>', RESTORE_HELP);
  const location = locate(config, source);
  const read = await readManifest(location);
  if (!read.ok) throw new CliError(`cannot restore: ${read.message}`);
  const { manifest } = read;

  const statePath = path.join(config.dataDir, 'restore.json');
  const state = await readState(statePath);
  if (state && (state.backup !== manifest.name || state.dump_sha256 !== databaseDigest(manifest.database))) {
    throw new CliError(`cannot restore: ${config.dataDir} was restored from another backup (${state.backup}); restore into an empty database and data folder`);
  }
  if (state?.objects === 'restored') {
    process.stdout.write(`backup ${manifest.name} is already restored here: nothing to do\n`);
    return;
  }

  await checkKeys(config, manifest);
  const digest = databaseDigest(manifest.database);
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-restore-'));
  try {
    await fetchVerifiedDatabase(location, manifest, scratch);
    for (const object of manifest.objects) await verifiedObject(location, object);
    const storage = openStorage(config);
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
    const database = await openDatabase(config, log);
    try {
      if (!state) {
        if ((await storage.list()).length > 0) throw new CliError(`cannot restore: the object store (${describeStorage(config, storage)}) is not empty; restore into an empty one`);
        await restoreDatabase(database, scratch, manifest);
        await writeState(statePath, { backup: manifest.name, dump_sha256: digest, database: 'restored' });
      }
    } finally {
      await database.close();
    }
    await restoreObjects(location, manifest, storage);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await writeState(statePath, { backup: manifest.name, dump_sha256: digest, database: 'restored', objects: 'restored' });
  process.stdout.write(
    `restored backup ${manifest.name} (made ${manifest.created_at}, schema ${manifest.schema_version.version}): database and ${manifest.objects.length} object(s)\n` +
      `start 'veridity serve' with the same encryption key\n`,
  );
}

function locate(config: Config, source: string): BackupLocation {
  if (source.startsWith('s3:')) {
    if (!config.backup.s3) throw new CliError('s3:<name> needs BACKUP_S3_BUCKET (with the S3_* connection settings)');
    return { store: createS3Storage(config.backup.s3), name: source.slice(3) };
  }
  const folder = path.resolve(source);
  return { store: createFileStorage(path.dirname(folder)), name: path.basename(folder) };
}

const describeStorage = (config: Config, storage: ObjectStorage) => (storage.backend === 's3' ? `bucket ${storage.bucket}` : path.join(config.dataDir, 'objects'));

/** Every configured key must be known to the backup's manifest, and every key of the backup configured. */
async function checkKeys(config: Config, manifest: BackupManifest): Promise<void> {
  const keys = config.encryptionKeys ?? [await readKeyFile(config.dataDir)].filter((key) => key !== undefined);
  if (keys.length === 0) {
    throw new CliError(`cannot restore: no encryption key; set VERIDITY_ENCRYPTION_KEY, or put the backed-up data dir's encryption.key at ${keyFilePath(config.dataDir)} (backups never hold the key)`);
  }
  const configured = new Set(keys.map(keyFingerprint));
  const missing = manifest.encryption_key_fingerprints.filter((fingerprint) => !configured.has(fingerprint));
  if (missing.length > 0) {
    throw new CliError(`cannot restore: the configured encryption key is not the one of backup ${manifest.name} (fingerprint ${missing[0]!.slice(0, 16)}...); the sealed secrets would be unreadable. Configure the key the backed-up installation used`);
  }
}

/** Fetches the database files of the backup into `scratch` (same names), each checked against the manifest before anything is written. */
async function fetchVerifiedDatabase(location: BackupLocation, manifest: BackupManifest, scratch: string): Promise<void> {
  const files = manifest.database.format === 'builtin' ? manifest.database.tables : [manifest.database];
  for (const expected of files) {
    const file = path.join(scratch, expected.file);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!(await location.store.getFile(keyIn(location, expected.file), file))) throw new CliError(`cannot restore: backup ${manifest.name} has no ${expected.file}`);
    const digest = await digestOfFile(file);
    if (digest.sha256 !== expected.sha256 || digest.size !== expected.size) throw new CliError(`cannot restore: ${expected.file} of backup ${manifest.name} does not match its SHA-256 in the manifest (damaged backup)`);
  }
}

async function verifiedObject(location: BackupLocation, object: BackupManifest['objects'][number]): Promise<Buffer> {
  const body = await location.store.get(keyIn(location, OBJECTS_FOLDER + object.key));
  if (!body) throw new CliError(`cannot restore: object ${object.key} is missing from backup ${location.name}`);
  const digest = digestOf(body);
  if (digest.sha256 !== object.sha256 || digest.size !== object.size) throw new CliError(`cannot restore: object ${object.key} of backup ${location.name} does not match its SHA-256 in the manifest (damaged backup)`);
  return body;
}

async function restoreDatabase(database: Database, scratch: string, manifest: BackupManifest): Promise<void> {
  const { rows } = await database.pool.query<{ count: string }>(
    `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
  );
  if (Number(rows[0]!.count) > 0) throw new CliError('cannot restore: the database is not empty; restore into a new, empty database');
  const dumped = manifest.database;
  // Roles belong to the cluster, not to the dump: the ingest gateway's role (migration 0016) is made when missing.
  await database.pool.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'veridity_ingest') THEN CREATE ROLE veridity_ingest LOGIN; END IF; END $$`);
  if (dumped.format === 'builtin') {
    // Binary COPY is read by the same major version or a newer one.
    const serverMajor = await serverMajorVersion(database.pool);
    if (serverMajor < dumped.server_major) throw new CliError(`cannot restore: the backup comes from PostgreSQL ${dumped.server_major}, this server is ${serverMajor}; restore into PostgreSQL ${dumped.server_major} or newer`);
    const loaded = await loadBuiltinDump(database.pool, scratch, dumped, await readMigrations());
    if (!loaded.ok) throw new CliError(`cannot restore: ${loaded.message}`);
    return;
  }
  const pgRestore = await findPgTool('pg_restore', dumped.pg_dump_major);
  if (!pgRestore.ok) throw new CliError(`cannot restore: ${pgRestore.message}`);
  // Owned by the restoring role; grants kept. One transaction: a failed restore leaves the database empty.
  await runPgTool(pgRestore.file, database.url, ['--no-owner', '--single-transaction', '--exit-on-error', path.join(scratch, dumped.file)]);
}

/** Puts every object of the backup; one already there with the same content is left alone (a resumed restore). */
async function restoreObjects(location: BackupLocation, manifest: BackupManifest, storage: ObjectStorage): Promise<void> {
  for (const object of manifest.objects) {
    const present = await storage.get(object.key);
    if (present && digestOf(present).sha256 === object.sha256) continue;
    await storage.put(object.key, await verifiedObject(location, object), 'application/octet-stream');
  }
}

async function readState(file: string): Promise<RestoreState | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as RestoreState);
}

async function writeState(file: string, state: RestoreState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
