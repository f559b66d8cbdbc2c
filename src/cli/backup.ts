import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '#src/config.ts';
import { BACKUP_NAME, DUMP_FILE, MANIFEST_FILE, MANIFEST_FORMAT, OBJECTS_FOLDER, backupName, createdAtOfName, digestOf, digestOfFile, keyFingerprint, keyIn, type BackupLocation, type BackupManifest } from '#platform/backup/backup-manifest.ts';
import { writeBuiltinDump } from '#platform/backup/write-builtin-dump.ts';
import { readKeyFile } from '#platform/crypto/encryption-key-file.ts';
import { openExistingDatabase } from '#platform/db/database.ts';
import { findPgTool, runPgTool, serverMajorVersion } from '#platform/db/pg-client-tools.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage, createS3Storage, type ObjectStorage } from '#platform/storage/object-storage.ts';
import { openStorage } from '#src/runtime.ts';
import { CliError, usageError } from './cli-error.ts';
import { noDataError } from './no-data-error.ts';
import { parseOptions } from './parse-options.ts';

export const BACKUP_HELP = `Usage: veridity backup [--to <dir> | --to s3] [--format pg_dump | builtin]

Writes one backup, veridity-<UTC time>/, into <dir> (default VERIDITY_DATA_DIR/backups) or, with
'--to s3', into BACKUP_S3_BUCKET (reached with the S3_* settings; a bucket other than S3_BUCKET).
A backup holds the database, in one transaction snapshot, as either
  database.dump  pg_dump of the whole database, custom format: when a pg_dump of the server's
                 major version or newer is installed ('--format pg_dump' insists on it), or
  tables/        the built-in format, needing no client tools (the default without such a
                 pg_dump, e.g. on the embedded PostgreSQL; '--format builtin' chooses it): the
                 schema version and one binary COPY per table of the schemas public and pgboss
and
  objects/<key>  a copy of every stored object (file system or S3_BUCKET)
  manifest.json  written last: time, Veridity and schema versions, SHA-256 and size of every
                 database file and of every object, and a fingerprint of each encryption key
It never holds the encryption key (VERIDITY_ENCRYPTION_KEY, or VERIDITY_DATA_DIR/encryption.key):
keep that apart, without it the sealed secrets of a backup cannot be read.

The database is dumped first, the objects copied after: an object is stored before the row that
names it, so every object the dump refers to is copied (newer objects are harmless extras).
Works whether or not 'veridity serve' runs: the embedded PostgreSQL is shared with the running
server, or started for the backup and stopped after. Backups older than BACKUP_KEEP_DAYS in the
same place are deleted after a successful backup. Safe to run at any time, as often as wanted.`;

/** `veridity backup`. */
export async function backupCommand(config: Config, argv: string[]): Promise<void> {
  const parsed = parseOptions({ args: argv, allowPositionals: false, options: { to: { type: 'string' }, format: { type: 'string' } } }, BACKUP_HELP);
  const format = parsed.values.format;
  if (format !== undefined && format !== 'pg_dump' && format !== 'builtin') throw usageError(`--format is pg_dump or builtin, not ${format}`, BACKUP_HELP);
  const store = destination(config, parsed.values.to);
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const opened = await openExistingDatabase(config, log);
  if (!opened.ok) throw noDataError(opened.dataDir);
  const { database } = opened;
  const createdAt = new Date();
  const location: BackupLocation = { store: store.storage, name: backupName(createdAt) };
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-backup-'));
  let manifest: BackupManifest;
  try {
    const serverMajor = await serverMajorVersion(database.pool);
    const pgDump = format === 'builtin' ? undefined : await findPgTool('pg_dump', serverMajor);
    if (format === 'pg_dump' && !pgDump?.ok) throw new CliError(`cannot back up with pg_dump: ${pgDump && !pgDump.ok ? pgDump.message : ''}`);
    const { rows } = await database.pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1');
    if (!rows[0]) throw new CliError('cannot back up: the database has no migrations applied (not a Veridity database)');

    // 1. The database: one snapshot. 2. The objects: all those its rows name already exist.
    let dumped: BackupManifest['database'];
    if (pgDump?.ok) {
      const dumpFile = path.join(scratch, DUMP_FILE);
      await runPgTool(pgDump.file, database.url, ['--format=custom', '--file', dumpFile]);
      await location.store.putFile(keyIn(location, DUMP_FILE), dumpFile, 'application/octet-stream');
      dumped = { file: DUMP_FILE, format: 'pg_dump custom', server_major: serverMajor, pg_dump_major: pgDump.major, ...(await digestOfFile(dumpFile)) };
    } else {
      const builtin = await writeBuiltinDump(database.pool, scratch, serverMajor);
      if (!builtin.ok) throw new CliError(`cannot back up: ${builtin.message}`);
      for (const table of builtin.value.tables) await location.store.putFile(keyIn(location, table.file), path.join(scratch, table.file), 'application/octet-stream');
      dumped = builtin.value;
    }
    const objects = await copyObjects(openStorage(config), location);

    const keys = config.encryptionKeys ?? [await readKeyFile(config.dataDir)].filter((key) => key !== undefined);
    manifest = {
      format: MANIFEST_FORMAT,
      name: location.name,
      created_at: createdAt.toISOString(),
      veridity_version: await veridityVersion(),
      schema_version: { version: rows[0].version, name: rows[0].name },
      database: dumped,
      objects,
      encryption_key_fingerprints: keys.map(keyFingerprint),
    };
    await location.store.put(keyIn(location, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'application/json');
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await database.close();
  }
  const pruned = await pruneBackups(store.storage, config.backup.keepDays, createdAt);
  const { database: dumped } = manifest;
  const databaseBytes = dumped.format === 'builtin' ? dumped.tables.reduce((sum, table) => sum + table.size, 0) : dumped.size;
  process.stdout.write(
    `backup ${manifest.name}: database ${databaseBytes} bytes (${dumped.format === 'builtin' ? `built-in format, ${dumped.tables.length} tables` : 'pg_dump custom format'}, schema ${manifest.schema_version.version}), ${manifest.objects.length} object(s)` +
      (pruned.length > 0 ? `; pruned ${pruned.length} backup(s) older than ${config.backup.keepDays} days` : '') +
      `\nbackup written: ${store.describe(manifest.name)}\n`,
  );
}

function destination(config: Config, to: string | undefined): { storage: ObjectStorage; describe(name: string): string } {
  if (to === 's3') {
    const bucket = config.backup.s3;
    if (!bucket) throw new CliError('--to s3 needs BACKUP_S3_BUCKET (with the S3_* connection settings)');
    return { storage: createS3Storage(bucket), describe: (name) => `s3:${name} (bucket ${bucket.bucket})` };
  }
  const dir = path.resolve(to ?? path.join(config.dataDir, 'backups'));
  return { storage: createFileStorage(dir), describe: (name) => path.join(dir, name) };
}

async function copyObjects(source: ObjectStorage, location: BackupLocation): Promise<BackupManifest['objects']> {
  const copied: BackupManifest['objects'] = [];
  for (const key of (await source.list()).sort()) {
    const body = await source.get(key);
    if (!body) continue; // deleted (retention) since it was listed: no row names it any more
    await location.store.put(keyIn(location, OBJECTS_FOLDER + key), body, 'application/octet-stream');
    copied.push({ key, ...digestOf(body) });
  }
  return copied;
}

async function veridityVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Deletes the backups (finished or not) of `store` made more than `keepDays` before `now`. */
async function pruneBackups(store: ObjectStorage, keepDays: number, now: Date): Promise<string[]> {
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const byBackup = new Map<string, string[]>();
  for (const key of await store.list()) {
    const name = key.split('/')[0]!;
    if (!BACKUP_NAME.test(name)) continue;
    byBackup.set(name, [...(byBackup.get(name) ?? []), key]);
  }
  const pruned: string[] = [];
  for (const [name, keys] of byBackup) {
    const createdAt = createdAtOfName(name);
    if (!createdAt || createdAt.getTime() >= cutoff) continue;
    // The manifest first: a half-deleted backup is then an unfinished one, never a damaged one.
    for (const key of keys.sort((a, b) => Number(b.endsWith(`/${MANIFEST_FILE}`)) - Number(a.endsWith(`/${MANIFEST_FILE}`)))) await store.delete(key);
    pruned.push(name);
  }
  return pruned;
}
