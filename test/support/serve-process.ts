import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generateToken } from '#platform/crypto/tokens.ts';
import { cleanEnv, freePort, startProcess, waitFor, type Running } from './processes.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export type ServeProcess = { server: Running; database: TestDatabase; baseUrl: string; adminToken: string; stop(): Promise<void> };

/**
 * A real `veridity serve` (its workers sequence the ledger, verify tasks and evidence) on a test
 * database of its own and a data folder under `scratch`, answering /readyz; checkpoints every second.
 */
export async function startServe(scratch: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const database = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = generateToken('vat');
  const server = startProcess(['serve'], cleanEnv({
    DATABASE_URL: database.url,
    VERIDITY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    VERIDITY_ADMIN_TOKEN: adminToken,
    VERIDITY_DATA_DIR: path.join(scratch, 'data'),
    PORT: String(port),
    LEDGER_CHECKPOINT_SECONDS: '1',
    VERIFIER_THREADS: '1',
    ...env,
  }));
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok, 60_000, `serve on ${baseUrl}\n${server.output()}`);
  const stop = async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await database.drop();
  };
  return { server, database, baseUrl, adminToken, stop };
}
