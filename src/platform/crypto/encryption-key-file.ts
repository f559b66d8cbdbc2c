import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The embedded default keeps its AES-256 key in `<data dir>/encryption.key` (0600), created on
 * first start. Losing this file makes sealed secrets unreadable: back it up with the data dir.
 */
export async function loadOrCreateKeyFile(dataDir: string): Promise<Buffer> {
  const existing = await readKeyFile(dataDir);
  if (existing) return existing;
  const file = keyFilePath(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another process created the file meanwhile, instead of overwriting its key.
  await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export const keyFilePath = (dataDir: string) => path.join(dataDir, 'encryption.key');

/** The key in `<data dir>/encryption.key`, or undefined when there is none (never creates it). */
export async function readKeyFile(dataDir: string): Promise<Buffer | undefined> {
  const file = keyFilePath(dataDir);
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}
