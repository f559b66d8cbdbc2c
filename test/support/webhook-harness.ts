import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '#src/app.ts';
import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox, type SecretBox } from '#platform/crypto/secret-box.ts';
import { generateToken } from '#platform/crypto/tokens.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage } from '#platform/storage/object-storage.ts';
import type { WebhookWorkerDeps } from '#modules/webhooks/deliver-due-webhooks.ts';
import { createGroth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** A clock the test moves by hand. */
export type ManualClock = Clock & { set(at: Date): void; advance(ms: number): void };

export function manualClock(start = new Date()): ManualClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    set: (at) => (now = at.getTime()),
    advance: (ms) => (now += ms),
  };
}

export type WebhookHarness = {
  app: App;
  database: TestDatabase;
  secretBox: SecretBox;
  /** The encryption key as VERIDITY_ENCRYPTION_KEY, for worker processes. */
  encryptionKeyHex: string;
  admin(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  partner(apiKey: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Creates a partner through the admin API; returns the 201 body (api_key, webhook_secret). */
  createPartner(body?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Dependencies for an in-process delivery worker on this database and clock. */
  workerDeps(overrides?: Partial<WebhookWorkerDeps>): WebhookWorkerDeps;
  close(): Promise<void>;
};

/** The API on a fresh database, with the key the worker needs to open webhook secrets. */
export async function createWebhookHarness(options: { clock: Clock; allowPrivateNetworks: boolean }): Promise<WebhookHarness> {
  const database = await createTestDatabase();
  const key = randomBytes(32);
  const secretBox = createSecretBox([key]);
  const objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-webhooks-'));
  const verifier = createGroth16VerifierPool({ size: 1 });
  const adminToken = generateToken('vat');
  const log = createLogger('silent');
  const app = await buildApp({
    config: { adminToken, bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100_000, webhookAllowPrivateNetworks: options.allowPrivateNetworks },
    log,
    clock: options.clock,
    pool: database.pool,
    db: database.db,
    secretBox,
    platformKeys: createPlatformKeys({ db: database.db, secretBox }),
    storage: createFileStorage(objectsDir),
    verifier,
  });
  await app.ready();
  const inject = (headers: Record<string, string>, method: string, url: string, body?: unknown) =>
    app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: body as object }) });
  const harness: WebhookHarness = {
    app,
    database,
    secretBox,
    encryptionKeyHex: key.toString('hex'),
    admin: (method, url, body) => inject({ authorization: `Bearer ${adminToken}` }, method, url, body),
    partner: (apiKey, method, url, body) => inject({ 'x-api-key': apiKey }, method, url, body),
    async createPartner(body = {}) {
      const response = await harness.admin('POST', '/api/admin/clients', { name: 'Webhook Bank', scopes: ['age_over_18'], ...body });
      if (response.statusCode !== 201) throw new Error(`create client failed: ${response.statusCode} ${response.body}`);
      return response.json();
    },
    workerDeps: (overrides = {}) => ({
      pool: database.pool,
      clock: options.clock,
      secretBox,
      log,
      allowPrivateNetworks: options.allowPrivateNetworks,
      ...overrides,
    }),
    async close() {
      await app.close();
      await verifier.close();
      await database.drop();
      await rm(objectsDir, { recursive: true, force: true });
    },
  };
  return harness;
}
