import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The port of the postmaster that holds `clusterDir`, from its `postmaster.pid` (line 4, see
 * PostgreSQL's pidfile.h), when the file is there. The file can outlive a crash: callers still
 * have to connect to know the server is up.
 */
export async function runningClusterPort(clusterDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const port = Number(text?.split('\n')[3]?.trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}
