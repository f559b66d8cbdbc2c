import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '#src/app.ts';
import { DEFAULT_HTTP_LIMITS, type Config, type HttpLimits } from '#src/config.ts';
import { systemClock, type Clock } from '#platform/clock.ts';
import { createPlatformKeys, type PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { generateToken } from '#platform/crypto/tokens.ts';
import { createLogger } from '#platform/logger.ts';
import { startChangeFeed } from '#platform/db/change-feed.ts';
import { createFileStorage, type ObjectStorage } from '#platform/storage/object-storage.ts';
import { registerBundledCircuits } from '#modules/zk/circuits/register-bundled-circuits.ts';
import { createGroth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export type TestApp = {
  app: App;
  database: TestDatabase;
  adminToken: string;
  storage: ObjectStorage;
  /** Where `storage` keeps its files. */
  objectsDir: string;
  /** The app's own platform keys (to issue what the app then serves, e.g. certificates). */
  platformKeys: PlatformKeys;
  /** Everything the app logged, as raw JSON lines (to prove secrets never reach the logs). */
  logs(): string;
  admin(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

/** `encryptionKey`: seal the platform keys with this key (so a test's own sequencer or CLI run can open them). */
export async function createTestApp(options: { clock?: Clock; bodyLimitBytes?: number; bundledCircuits?: boolean; encryptionKey?: Buffer; http?: Partial<HttpLimits>; x402?: Config['x402']; console?: Config['console'] } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-objects-'));
  const storage = createFileStorage(objectsDir);
  const clock = options.clock ?? systemClock;
  const verifier = createGroth16VerifierPool({ size: 1 });
  const changeFeed = startChangeFeed({ connectionString: database.url, log: createLogger('silent') });
  const secretBox = createSecretBox([options.encryptionKey ?? randomBytes(32)]);
  const adminToken = generateToken('vat');
  const captured: string[] = [];
  const platformKeys = createPlatformKeys({ db: database.db, secretBox });
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { captured.push(chunk.toString()); done(); } }));
  const app = await buildApp({
    config: {
      adminToken,
      bodyLimitBytes: options.bodyLimitBytes ?? 256 * 1024,
      trustProxy: false,
      redisUrl: undefined,
      publicRateLimitPerMinute: 100_000,
      http: { ...DEFAULT_HTTP_LIMITS, ...options.http },
      ...(options.x402 ? { x402: options.x402 } : {}),
      ...(options.console ? { console: options.console } : {}),
    },
    log,
    clock,
    pool: database.pool,
    db: database.db,
    secretBox,
    platformKeys,
    storage,
    verifier,
    changeFeed,
  });
  await app.ready();
  if (options.bundledCircuits) await registerBundledCircuits({ db: database.db, clock, storage, log });
  return {
    app,
    database,
    adminToken,
    storage,
    objectsDir,
    platformKeys,
    logs: () => captured.join(''),
    admin: (method, url, body) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) }),
    async close() {
      await app.close();
      await Promise.all([verifier.close(), changeFeed.close()]);
      await database.drop();
      await rm(objectsDir, { recursive: true, force: true });
    },
  };
}

/** Creates a partner through the admin API and returns the response body (with its api_key). */
export async function createPartner(t: TestApp, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await t.admin('POST', '/api/admin/clients', { name: 'Test Bank', scopes: ['age_over_18'], ...body });
  if (response.statusCode !== 201) throw new Error(`create client failed: ${response.statusCode} ${response.body}`);
  return response.json();
}
