import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';

/**
 * A backup is a folder (or S3 prefix) `veridity-<UTC time>/` holding the database (`database.dump`,
 * pg_dump custom format, or `tables/<schema>.<table>.copy`, the built-in format: one binary COPY
 * per table), `objects/<key>` (a copy of every stored object) and `manifest.json`, written last: a
 * folder without a manifest is an unfinished backup.
 */
export const MANIFEST_FORMAT = 'veridity-backup/1';
export const DUMP_FILE = 'database.dump';
export const MANIFEST_FILE = 'manifest.json';
export const OBJECTS_FOLDER = 'objects/';
export const TABLES_FOLDER = 'tables/';

export type FileDigest = { sha256: string; size: number };

export type BackupManifest = {
  format: typeof MANIFEST_FORMAT;
  name: string;
  created_at: string;
  veridity_version: string;
  /** The last migration applied to the dumped database. */
  schema_version: { version: number; name: string };
  database: PgDumpDatabase | BuiltinDatabase;
  objects: Array<FileDigest & { key: string }>;
  /** One per configured encryption key: SHA-256 of an id derived from the key (never the key, nor its secret-box id). */
  encryption_key_fingerprints: string[];
};

export type PgDumpDatabase = FileDigest & { file: typeof DUMP_FILE; format: 'pg_dump custom'; server_major: number; pg_dump_major: number };

/** The built-in format: the schema version, then every table's rows (binary COPY), from one snapshot. */
export type BuiltinDatabase = {
  format: 'builtin';
  server_major: number;
  /** schema_migrations of the snapshot: restore rebuilds exactly this schema from the code's migrations. */
  migrations: Array<{ version: number; name: string; checksum: string }>;
  /** pg-boss's schema version (pgboss.version), null when pg-boss never ran there. */
  queue_schema_version: number | null;
  /** Every table of the schemas `public` and `pgboss`; a partitioned table's rows are copied from (and into) its parent. */
  tables: Array<FileDigest & { schema: string; name: string; file: string; columns: string[]; rows: number }>;
  /** Every partition, made again on restore when the migrations did not (proofs' monthly ones). */
  partitions: Array<{ schema: string; name: string; parent_schema: string; parent: string; bound: string }>;
  /** last_value of every sequence, null when never used. */
  sequences: Array<{ schema: string; name: string; last_value: string | null }>;
};

/** What identifies a backup's database content (restore.json compares it on a re-run). */
export const databaseDigest = (database: BackupManifest['database']): string =>
  database.format === 'builtin' ? createHash('sha256').update(database.tables.map((table) => table.sha256).join('\n')).digest('hex') : database.sha256;

export const BACKUP_NAME = /^veridity-(\d{8}T\d{9}Z)$/;

/** `veridity-20250101T120000123Z`: sorts by time, unique to the millisecond. */
export function backupName(at: Date): string {
  return `veridity-${at.toISOString().replace(/[-:.]/g, '')}`;
}

export function createdAtOfName(name: string): Date | undefined {
  const stamp = BACKUP_NAME.exec(name)?.[1];
  if (!stamp) return undefined;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  return new Date(iso);
}

export const digestOf = (body: Buffer): FileDigest => ({ sha256: createHash('sha256').update(body).digest('hex'), size: body.length });

/** The digest of a file, read as a stream. */
export async function digestOfFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

export function keyFingerprint(key: Buffer): string {
  const derivedId = createHmac('sha256', key).update('veridity backup key fingerprint v1').digest();
  return createHash('sha256').update(derivedId).digest('hex');
}

/** Where backups are kept: a folder (file storage) or BACKUP_S3_BUCKET, and one backup's name in it. */
export type BackupLocation = { store: ObjectStorage; name: string };

export const keyIn = (location: BackupLocation, file: string) => `${location.name}/${file}`;

export type ReadManifest = { ok: true; manifest: BackupManifest } | { ok: false; message: string };

export async function readManifest(location: BackupLocation): Promise<ReadManifest> {
  const body = await location.store.get(keyIn(location, MANIFEST_FILE));
  if (!body) return { ok: false, message: `no ${MANIFEST_FILE} in backup ${location.name} (not a backup, or an unfinished one)` };
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(body.toString('utf8')) as BackupManifest;
  } catch {
    return { ok: false, message: `${MANIFEST_FILE} of backup ${location.name} is not JSON` };
  }
  if (manifest.format !== MANIFEST_FORMAT) return { ok: false, message: `backup ${location.name}: unknown format ${String(manifest.format)} (expected ${MANIFEST_FORMAT})` };
  return { ok: true, manifest };
}
