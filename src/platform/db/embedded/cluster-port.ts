import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { freePort } from '#platform/net/free-port.ts';

/**
 * The loopback port of a data folder's PostgreSQL, recorded in `portFile` so that it stays the
 * same from one start to the next (and operator commands find it) while it is free; a new free
 * port otherwise. Two servers with different data folders thus never fight over one port.
 */
export async function chooseClusterPort(portFile: string): Promise<number> {
  const recorded = Number((await readFile(portFile, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(recorded) && recorded > 0 && recorded < 65536 && (await isFree(recorded))) return recorded;
  const port = await freePort();
  await writeFile(portFile, `${port}\n`, { mode: 0o600 });
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

