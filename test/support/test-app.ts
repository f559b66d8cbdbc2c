import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '#src/app.ts';
import { systemClock, type Clock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { generateToken } from '#platform/crypto/tokens.ts';
import { createLogger } from '#platform/logger.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export type TestApp = {
  app: App;
  database: TestDatabase;
  adminToken: string;
  /** Everything the app logged, as raw JSON lines (to prove secrets never reach the logs). */
  logs(): string;
  admin(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

export async function createTestApp(options: { clock?: Clock; bodyLimitBytes?: number } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const adminToken = generateToken('vat');
  const captured: string[] = [];
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { captured.push(chunk.toString()); done(); } }));
  const app = await buildApp({
    config: { adminToken, bodyLimitBytes: options.bodyLimitBytes ?? 256 * 1024, trustProxy: false },
    log,
    clock: options.clock ?? systemClock,
    pool: database.pool,
    db: database.db,
    secretBox: createSecretBox([randomBytes(32)]),
  });
  await app.ready();
  return {
    app,
    database,
    adminToken,
    logs: () => captured.join(''),
    admin: (method, url, body) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) }),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** Creates a partner through the admin API and returns the response body (with its api_key). */
export async function createPartner(t: TestApp, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await t.admin('POST', '/api/admin/clients', { name: 'Test Bank', scopes: ['age_over_18'], ...body });
  if (response.statusCode !== 201) throw new Error(`create client failed: ${response.statusCode} ${response.body}`);
  return response.json();
}
