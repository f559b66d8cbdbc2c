import type { Config } from '#src/config.ts';
import { systemClock, type Clock } from '#platform/clock.ts';
import { loadOrCreateKeyFile } from '#platform/crypto/encryption-key-file.ts';
import { createPlatformKeys, type PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox, type SecretBox } from '#platform/crypto/secret-box.ts';
import { openDatabase, openExistingDatabase, type Database } from '#platform/db/database.ts';
import { runMigrations } from '#platform/db/migrate.ts';
import type { Logger } from '#platform/logger.ts';
import { createFileStorage, createS3Storage, type ObjectStorage } from '#platform/storage/object-storage.ts';
import path from 'node:path';

export type Runtime = {
  config: Config;
  log: Logger;
  clock: Clock;
  database: Database;
  secretBox: SecretBox;
  storage: ObjectStorage;
  platformKeys: PlatformKeys;
  close(): Promise<void>;
};

export function openStorage(config: Config): ObjectStorage {
  return config.s3 ? createS3Storage(config.s3) : createFileStorage(path.join(config.dataDir, 'objects'));
}

/**
 * What every command needs: the database (embedded or external) migrated to the latest schema,
 * and the secret box. Migrations run under an advisory lock, so replicas may all call this.
 */
export async function openRuntime(config: Config, log: Logger): Promise<Runtime> {
  return runtimeOn(config, log, await openDatabase(config, log));
}

export type ExistingRuntime = { ok: true; runtime: Runtime } | { ok: false; code: 'NO_DATA'; dataDir: string };

/** openRuntime for operator commands: never creates an embedded database, shares the running server's. */
export async function openExistingRuntime(config: Config, log: Logger): Promise<ExistingRuntime> {
  const opened = await openExistingDatabase(config, log);
  return opened.ok ? { ok: true, runtime: await runtimeOn(config, log, opened.database) } : opened;
}

async function runtimeOn(config: Config, log: Logger, database: Database): Promise<Runtime> {
  let keys: Buffer[];
  try {
    // After the database: an operator command must not leave a key in a data dir it refused.
    keys = config.encryptionKeys ?? [await loadOrCreateKeyFile(config.dataDir)];
    const report = await runMigrations(database.pool);
    if (report.applied.length > 0) log.info({ applied: report.applied }, 'migrations applied');
    await database.pool.query('SELECT ensure_proofs_partitions(current_date, 2)');
  } catch (error) {
    await database.close();
    throw error;
  }
  const secretBox = createSecretBox(keys);
  return {
    config,
    log,
    clock: systemClock,
    database,
    secretBox,
    platformKeys: createPlatformKeys({ db: database.db, secretBox }),
    storage: openStorage(config),
    close: () => database.close(),
  };
}
