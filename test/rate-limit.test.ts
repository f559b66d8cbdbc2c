import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { registerErrorHandling } from '#platform/http/error-handler.ts';
import { registerRateLimiting, type RateLimiting } from '#platform/http/rate-limit.ts';
import { newId } from '#platform/ids.ts';
import { createLogger } from '#platform/logger.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { createClient, type CreatedClient } from '#modules/clients/create-client.ts';
import { createLastUsedTracker } from '#modules/clients/last-used-tracker.ts';
import { partnerAuth } from '#modules/clients/partner-auth.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/processes.ts';
import { REDIS_URL, redisUnavailable } from './support/services.ts';

const actor: AuditActor = { type: 'cli', id: null, ip: null, requestId: null };

let database: TestDatabase;
before(async () => (database = await createTestDatabase()));
after(async () => database.drop());

type LimitedApp = { app: FastifyInstance; limits: RateLimiting; logs(): string };

/** The application's partner auth, then the per-client limit; the per-IP limit on public routes. */
async function limitedApp(options: { redisUrl?: string; keyPrefix?: string; ipMaxPerMinute?: number } = {}): Promise<LimitedApp> {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } }));
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, genReqId: () => newId('req'), requestIdHeader: false });
  registerErrorHandling(app);
  const lastUsed = createLastUsedTracker({ pool: database.pool, log });
  app.addHook('onClose', async () => lastUsed.stop());
  const limits = await registerRateLimiting(app, { redisUrl: options.redisUrl, keyPrefix: options.keyPrefix, ipMaxPerMinute: options.ipMaxPerMinute ?? 2, log });
  const authenticatePartner = partnerAuth({ db: database.db, clock: systemClock, lastUsed, platformKeys: createPlatformKeys({ db: database.db, secretBox: createSecretBox([randomBytes(32)]) }) });
  for (const url of ['/api/v1/a', '/api/v1/b']) {
    app.get(url, { preHandler: [authenticatePartner, limits.perClient] }, async (request) => ({ client_id: request.client!.id }));
  }
  for (const url of ['/public/a', '/public/b']) app.get(url, { onRequest: [limits.perIp] }, async () => ({ ok: true }));
  await app.ready();
  return { app, limits, logs: () => lines.join('') };
}

async function partner(rateLimitPerMinute?: number): Promise<CreatedClient> {
  return createClient(
    { db: database.db, clock: systemClock, secretBox: createSecretBox([randomBytes(32)]) },
    { name: 'Bank', scopes: ['age_over_18'], ...(rateLimitPerMinute ? { rate_limit_per_minute: rateLimitPerMinute } : {}) },
    actor,
  );
}

const call = (app: FastifyInstance, apiKey: string, url = '/api/v1/a') => app.inject({ method: 'GET', url, headers: { 'x-api-key': apiKey } });

function remaining(response: LightMyRequestResponse, policy = 'per-client'): number {
  const match = new RegExp(`^"${policy}";r=(\\d+);t=(\\d+)$`).exec(String(response.headers['ratelimit']));
  assert.ok(match, `RateLimit header: ${response.headers['ratelimit']}`);
  const reset = Number(match[2]);
  assert.ok(reset >= 1 && reset <= 60, `reset ${reset} within the 60 s window`);
  return Number(match[1]);
}

function assertLimited(response: LightMyRequestResponse, quota: number, policy = 'per-client'): void {
  assert.equal(response.statusCode, 429, response.body);
  const body = response.json();
  assert.equal(body.error_code, 'RATE_LIMITED');
  assert.match(body.error, new RegExp(`rate limit of ${quota} requests per 60 s exceeded`));
  assert.match(body.request_id, /^req_/);
  const retryAfter = Number(response.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${response.headers['retry-after']}`);
  assert.equal(body.retry_after_seconds, retryAfter);
  assert.equal(response.headers['ratelimit-policy'], `"${policy}";q=${quota};w=60`);
  assert.equal(remaining(response, policy), 0);
}

describe('in-memory counters', () => {
  let t: LimitedApp;
  before(async () => (t = await limitedApp()));
  after(async () => t.app.close());

  test('the store is in memory without a Redis URL', () => assert.equal(t.limits.store, 'memory'));

  test("each client has its own counter and its own max; 429 carries our error body and the draft headers", async () => {
    const small = await partner(3);
    const large = await partner(5);
    for (let i = 1; i <= 3; i++) {
      const response = await call(t.app, small.api_key);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['ratelimit-policy'], '"per-client";q=3;w=60');
      assert.equal(remaining(response), 3 - i);
    }
    assertLimited(await call(t.app, small.api_key), 3);
    assertLimited(await call(t.app, small.api_key), 3);

    for (let i = 1; i <= 5; i++) {
      const response = await call(t.app, large.api_key);
      assert.equal(response.statusCode, 200, `request ${i} of the larger client: ${response.body}`);
      assert.equal(response.headers['ratelimit-policy'], '"per-client";q=5;w=60');
      assert.equal(remaining(response), 5 - i);
    }
    assertLimited(await call(t.app, large.api_key), 5);
  });

  test('the default max is the column default, 120 per minute', async () => {
    const client = await partner();
    const response = await call(t.app, client.api_key);
    assert.equal(response.headers['ratelimit-policy'], '"per-client";q=120;w=60');
    assert.equal(remaining(response), 119);
  });

  test('one counter per client across the routes it guards', async () => {
    const client = await partner(4);
    assert.equal((await call(t.app, client.api_key, '/api/v1/a')).statusCode, 200);
    assert.equal((await call(t.app, client.api_key, '/api/v1/b')).statusCode, 200);
    assert.equal((await call(t.app, client.api_key, '/api/v1/a')).statusCode, 200);
    assert.equal(remaining(await call(t.app, client.api_key, '/api/v1/b')), 0);
    assertLimited(await call(t.app, client.api_key, '/api/v1/a'), 4);
  });

  test('authentication runs first: a refused key is a 401 and counts against nobody', async () => {
    const client = await partner(2);
    for (let i = 0; i < 5; i++) {
      const refused = await call(t.app, 'vk_' + randomBytes(32).toString('base64url'));
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.headers['ratelimit'], undefined);
    }
    assert.equal(remaining(await call(t.app, client.api_key)), 1);
  });

  test('public routes: one counter per IP and route', async () => {
    const get = (url: string, remoteAddress: string) => t.app.inject({ method: 'GET', url, remoteAddress });
    const first = await get('/public/a', '10.0.0.1');
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['ratelimit-policy'], '"per-ip";q=2;w=60');
    assert.equal(remaining(first, 'per-ip'), 1);
    assert.equal((await get('/public/a', '10.0.0.1')).statusCode, 200);
    assertLimited(await get('/public/a', '10.0.0.1'), 2, 'per-ip');
    assert.equal((await get('/public/a', '10.0.0.2')).statusCode, 200, 'another IP');
    assert.equal((await get('/public/b', '10.0.0.1')).statusCode, 200, 'another route');
    assert.equal((await get('/public/a', '::ffff:10.0.0.3')).statusCode, 200);
    assert.equal((await get('/public/a', '10.0.0.3')).statusCode, 200);
    assertLimited(await get('/public/a', '::ffff:10.0.0.3'), 2, 'per-ip');
  });
});

const redisDown = await redisUnavailable();
if (redisDown) console.log(`# skipping the shared-Redis test: Redis at ${REDIS_URL} does not answer (${redisDown})`);

describe('Redis counters', () => {
  test('two instances sharing one Redis share each client counter', { skip: redisDown ? `Redis at ${REDIS_URL} does not answer: ${redisDown}` : false }, async () => {
    const keyPrefix = `veridity-test:${randomBytes(6).toString('hex')}:`;
    const one = await limitedApp({ redisUrl: REDIS_URL, keyPrefix });
    const two = await limitedApp({ redisUrl: REDIS_URL, keyPrefix });
    const redis = new Redis(REDIS_URL);
    try {
      assert.equal(one.limits.store, 'redis');
      const client = await partner(4);
      const other = await partner(4);
      const seen: number[] = [];
      for (const app of [one.app, two.app, one.app, two.app]) {
        const response = await call(app, client.api_key);
        assert.equal(response.statusCode, 200, response.body);
        seen.push(remaining(response));
      }
      assert.deepEqual(seen, [3, 2, 1, 0], 'both instances count into one counter');
      assertLimited(await call(one.app, client.api_key), 4);
      assertLimited(await call(two.app, client.api_key), 4);
      assert.equal(remaining(await call(two.app, other.api_key)), 3, 'another client has its own counter');

      assert.equal(await redis.get(`${keyPrefix}client:${client.id}`), '6');
      const ttl = await redis.pttl(`${keyPrefix}client:${client.id}`);
      assert.ok(ttl > 0 && ttl <= 60_000, `counter expires with the window (pttl ${ttl})`);
    } finally {
      await redis.del(...(await redis.keys(`${keyPrefix}*`)), `${keyPrefix}none`);
      redis.disconnect();
      await one.app.close();
      await two.app.close();
    }
  });

  test('an unreachable Redis lets requests through and says so in the log', async () => {
    const t = await limitedApp({ redisUrl: `redis://127.0.0.1:${await freePort()}` });
    try {
      const client = await partner(1);
      for (let i = 0; i < 3; i++) assert.equal((await call(t.app, client.api_key)).statusCode, 200);
      assert.match(t.logs(), /rate-limit Redis unreachable at start/);
      assert.match(t.logs(), /rate-limit store failed: request let through/);
    } finally {
      await t.app.close();
    }
  });
});
