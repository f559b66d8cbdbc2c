// The naive baseline (bench/baseline) in a process of its own, with the same partners' API keys.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '#platform/net/free-port.ts';
import { cleanEnv } from '#test/support/processes.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

export async function startBaseline(apiKeys: string[]): Promise<ServerProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-bench-baseline-'));
  const partnersFile = path.join(dataDir, 'partners.json');
  await writeFile(partnersFile, JSON.stringify(apiKeys), { mode: 0o600 });
  const port = await freePort();
  const env = cleanEnv({ BASELINE_DATA_DIR: dataDir, BASELINE_PARTNERS_FILE: partnersFile, PORT: String(port), NODE_ENV: 'production' });
  const main = path.join(import.meta.dirname, '../baseline/main.ts');
  const server = await startServerProcess({ name: 'baseline', args: [main], env, port, readyPath: '/healthz' });
  return {
    ...server,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
