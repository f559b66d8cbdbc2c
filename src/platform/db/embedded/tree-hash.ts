import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * SHA-256 over a folder's content: every entry's relative path, kind, executable bit, file bytes
 * and symlink target, in a fixed order. Owners and other mode bits are left out on purpose: a
 * copy made by root with normalised permissions hashes like its source.
 */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(root, { recursive: true });
  for (const relative of entries.map(String).sort()) {
    const file = path.join(root, relative);
    const stats = await lstat(file);
    if (stats.isSymbolicLink()) hash.update(`L ${relative} ${await readlink(file)}\n`);
    else if (stats.isDirectory()) hash.update(`D ${relative}\n`);
    else if (stats.isFile()) {
      hash.update(`F ${relative} ${stats.mode & 0o100 ? 'x' : '-'} ${stats.size}\n`);
      hash.update(await readFile(file));
    } else hash.update(`? ${relative}\n`); // a socket or device: never in a package, but changes the hash
  }
  return hash.digest('hex');
}
