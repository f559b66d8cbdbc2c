import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readlink, realpath, rmdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '#platform/logger.ts';
import { canTraverse, type ProcessOwner } from './postgres-user.ts';

/** Root-owned home of the clusters whose data folder the `postgres` user cannot reach. */
export const RELOCATED_CLUSTERS_DIR = '/var/lib/veridity/clusters';

export type ClusterLocation = { dir: string; relocated: boolean };

const exists = (file: string) => stat(file).then(() => true, () => false);

/**
 * The real folder of the cluster named `clusterPath` (`<data dir>/postgres`), made ready for
 * initdb when new. As root, PostgreSQL runs as `postgres`, which must reach the folder: the data
 * dir is opened to the postgres group for traversal only (0710-style, nobody else gains
 * anything). When its parents are closed to it too (a clone in /root, 0700), the cluster lives in
 * RELOCATED_CLUSTERS_DIR and `clusterPath` is a symlink to it, so that nothing in the private tree
 * has to be opened.
 */
export async function locateCluster(clusterPath: string, owner: ProcessOwner | undefined, log: Logger): Promise<ClusterLocation> {
  const dataDir = path.dirname(clusterPath);
  const linked = await lstat(clusterPath).then((stats) => stats.isSymbolicLink(), () => false);
  if (await exists(path.join(clusterPath, 'PG_VERSION'))) return { dir: await realpath(clusterPath), relocated: linked };

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!owner) {
    await mkdir(clusterPath, { recursive: true, mode: 0o700 });
    return { dir: clusterPath, relocated: false };
  }
  if (linked) return { dir: await ownedFolder(path.resolve(dataDir, await readlink(clusterPath)), owner), relocated: true };

  if (await canTraverse(owner, path.dirname(path.resolve(dataDir)))) {
    const stats = await stat(dataDir);
    await chown(dataDir, stats.uid, owner.gid);
    await chmod(dataDir, (stats.mode & 0o7707) | 0o010);
    return { dir: await ownedFolder(clusterPath, owner), relocated: false };
  }

  const id = createHash('sha256').update(await realpath(dataDir)).digest('hex').slice(0, 16);
  await mkdir(RELOCATED_CLUSTERS_DIR, { recursive: true, mode: 0o711 });
  const dir = await ownedFolder(path.join(RELOCATED_CLUSTERS_DIR, id), owner);
  await rmdir(clusterPath).catch(() => {}); // an empty folder left by an earlier failed start
  await symlink(dir, clusterPath);
  log.warn(
    { data_dir: dataDir, cluster_dir: dir },
    'the postgres user cannot reach the data dir: the database cluster lives in cluster_dir (linked from data_dir/postgres); back up both, or set VERIDITY_DATA_DIR to a folder outside private trees',
  );
  return { dir, relocated: true };
}

/** A 0700 folder owned by the postgres user (initdb wants it empty or absent; an empty one is fine). */
async function ownedFolder(dir: string, owner: ProcessOwner): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chown(dir, owner.uid, owner.gid);
  return dir;
}
