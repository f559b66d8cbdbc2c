import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { generateToken } from '#platform/crypto/tokens.ts';
import { wrapPool } from '#platform/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '#platform/db/embedded-postgres.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { cleanEnv, freePort, startProcess, waitFor, type Running } from './support/processes.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

/** Time the processes get to serve again once the database is back. */
const RECOVERY_MS = 15_000;

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

function track(running: Running): Running {
  cleanups.push(async () => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    await running.exited;
  });
  return running;
}

/** Waits as `waitFor` does; a timeout shows what the processes logged. */
async function waitShowingOutput(running: Running[], check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await waitFor(check, timeoutMs, what).catch((error: Error) => {
    throw new Error([error.message, ...running.map((r) => r.output())].join('\n'));
  });
}

const alive = (running: Running) => running.child.exitCode === null && running.child.signalCode === null;

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

function processEnv(databaseUrl: string, dataDir: string): NodeJS.ProcessEnv {
  return cleanEnv({
    DATABASE_URL: databaseUrl,
    VERIDITY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    VERIDITY_DATA_DIR: dataDir,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  });
}

/** `url` reached through a TCP proxy that the test can cut. */
async function throughProxy(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  cleanups.push(() => proxy.close());
  target.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: target.toString() };
}

type Api = { base: string; adminToken: string; running: Running };

async function startServe(env: NodeJS.ProcessEnv): Promise<Api> {
  const port = await freePort();
  const adminToken = generateToken('vat');
  const running = track(startProcess(['serve'], { ...env, PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1' }));
  const base = `http://127.0.0.1:${port}`;
  await waitShowingOutput([running], async () => (await fetch(`${base}/readyz`)).ok, 60_000, `serve on ${base}`);
  return { base, adminToken, running };
}

async function createPartner(api: Api, webhookUrl: string): Promise<{ id: string; api_key: string }> {
  const response = await fetch(`${api.base}/api/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Restart Bank', scopes: ['age_over_18'], webhook_url: webhookUrl, rate_limit_per_minute: 1_000_000 }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()) as { id: string; api_key: string };
}

type Outcome = { at: number; call: string; status: number; body: Record<string, unknown>; retryAfter: string | null };

/**
 * Partners and operators using the API throughout: each client loops over a read (GET /me), a write
 * (an admin creates a partner) and a write that enqueues a webhook (POST /webhooks/test).
 */
function startLoad(api: Api, apiKey: string, clients = 4) {
  const outcomes: Outcome[] = [];
  let stopping = false;
  const call = async (name: string, pathname: string, init: RequestInit) => {
    const at = Date.now();
    try {
      const response = await fetch(`${api.base}${pathname}`, { ...init, signal: AbortSignal.timeout(20_000) });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      outcomes.push({ at, call: name, status: response.status, body, retryAfter: response.headers.get('retry-after') });
    } catch (error) {
      // No HTTP answer at all: the process died or hung.
      outcomes.push({ at, call: name, status: 0, body: { error: String(error) }, retryAfter: null });
    }
  };
  const loop = async (client: number) => {
    for (let i = 0; !stopping; i++) {
      await call('me', '/api/v1/me', { headers: { 'x-api-key': apiKey } });
      await call('create-client', '/api/admin/clients', {
        method: 'POST',
        headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `load ${client}-${i}`, scopes: ['age_over_18'] }),
      });
      await call('test-webhook', '/api/v1/webhooks/test', { method: 'POST', headers: { 'x-api-key': apiKey } });
      await delay(20);
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, client) => loop(client)));
  return {
    outcomes,
    /** Whether every kind of call has succeeded since `since`. */
    succeedsSince: (since: number) =>
      ['me', 'create-client', 'test-webhook'].every((name) => outcomes.some((o) => o.call === name && o.at >= since && o.status < 300)),
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** Every answer is a success or 503 DATABASE_UNAVAILABLE with Retry-After: never a 500, never silence. */
function assertOnlySuccessOr503(outcomes: Outcome[]): void {
  const unexpected = outcomes.filter((o) => ![200, 201, 202, 503].includes(o.status));
  assert.deepEqual(unexpected.slice(0, 5), [], `${unexpected.length} unexpected answers`);
  const unavailable = outcomes.filter((o) => o.status === 503);
  assert.ok(unavailable.length > 0, 'some requests met the outage');
  for (const o of unavailable) {
    assert.equal(o.body.error_code, 'DATABASE_UNAVAILABLE', JSON.stringify(o));
    assert.match(o.retryAfter ?? '', /^\d+$/, `Retry-After on ${JSON.stringify(o)}`);
  }
}

/** Every write the API confirmed is in the database. */
async function assertNothingLost(pool: Pool, outcomes: Outcome[]): Promise<void> {
  const clientIds = outcomes.filter((o) => o.call === 'create-client' && o.status === 201).map((o) => String(o.body.id));
  const deliveryIds = outcomes.filter((o) => o.call === 'test-webhook' && o.status === 202).map((o) => String(o.body.delivery_id));
  assert.ok(clientIds.length > 0 && deliveryIds.length > 0);
  const clients = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_clients WHERE id = ANY($1)', [clientIds]);
  assert.equal(clients.rows[0]!.n, clientIds.length, 'a confirmed partner is missing');
  const deliveries = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM webhooks_outbox WHERE id = ANY($1)', [deliveryIds]);
  assert.equal(deliveries.rows[0]!.n, deliveryIds.length, 'a confirmed webhook event is missing');
}

/** How long before the database went away a delivery may have been sent without its result being written. */
const IN_FLIGHT_BEFORE_OUTAGE_MS = 3_000;

/**
 * Every confirmed webhook event arrives; one arrives twice only when its first attempt was sent
 * while the database was going away (its record could not be written: at-least-once).
 */
async function assertDeliveredOnce(hook: Receiver, outcomes: Outcome[], outage: { from: number; to: number }): Promise<void> {
  const ids = outcomes.filter((o) => o.call === 'test-webhook' && o.status === 202).map((o) => String(o.body.delivery_id));
  await waitFor(async () => ids.every((id) => hook.countsById().has(id)), RECOVERY_MS, 'every confirmed webhook delivered').catch(() => {});
  assert.deepEqual(ids.filter((id) => !hook.countsById().has(id)), [], 'confirmed webhook events never delivered');
  await delay(1_000); // a duplicate would come now
  for (const [id, count] of hook.countsById()) {
    if (count === 1) continue;
    const first = hook.received.find((request) => request.headers['webhook-id'] === id)!;
    // A batch records its attempts after its HTTP calls: one sent just before the stop may not have been recorded.
    assert.ok(first.receivedAt >= outage.from - IN_FLIGHT_BEFORE_OUTAGE_MS && first.receivedAt <= outage.to, `${id} delivered ${count} times, first outside the outage`);
  }
}

/** Log lines stay short: the pg client object (~5 KB) must never be serialised into one. */
function assertShortLogLines(running: Running): void {
  const long = running.output().split('\n').filter((line) => line.length > 1_500);
  assert.deepEqual(long.map((line) => line.slice(0, 300)), [], 'over-long log lines');
}

async function readyStatus(api: Api): Promise<number> {
  return (await fetch(`${api.base}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
}

test('a pool outlives connections that break while checked out: no crash, no connection lost for good', { timeout: 30_000 }, async () => {
  const { proxy, url } = await throughProxy(process.env.TEST_DATABASE_URL!);
  const pool = createPool(url, { max: 1, log: createLogger('silent') });
  const one = async () => (await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  try {
    // Held with no query in flight when the link drops: pg emits 'error' on it, which nobody else hears.
    const held = await pool.connect();
    proxy.cut();
    await delay(200);
    held.release();
    proxy.restore();
    assert.equal(await one(), 1);

    // drizzle never releases the connection when its BEGIN fails: the pool takes it back itself.
    proxy.cut();
    await assert.rejects(wrapPool(pool).transaction(async () => {}));
    proxy.restore();
    assert.equal(await one(), 1, 'the pool has its one connection back');
  } finally {
    await pool.end();
  }
});

test('serve rides out a PostgreSQL restart: 503 DATABASE_UNAVAILABLE meanwhile, then serves again and loses nothing', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-restart-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pgOptions = { dir: path.join(dir, 'postgres'), port: await freePort(), log: createLogger('silent') };
  let postgres: EmbeddedPostgres = await startEmbeddedPostgres(pgOptions);
  cleanups.push(() => postgres.stop());

  const hook = await receiver();
  const api = await startServe(processEnv(postgres.url, dir));
  const partner = await createPartner(api, hook.url);
  const load = startLoad(api, partner.api_key);
  cleanups.push(() => load.stop());
  await delay(1_500);

  const outage = { from: Date.now(), to: 0 };
  await postgres.stop();
  await waitShowingOutput([api.running], async () => load.outcomes.some((o) => o.status === 503 && o.at > outage.from), 10_000, 'a 503 while the database is down');
  assert.equal(await readyStatus(api).catch((error) => assert.fail(`serve stopped answering: ${error}\n${api.running.output()}`)), 503, '/readyz while the database is down');
  await delay(2_000);
  assert.ok(alive(api.running), `serve is still running\n${api.running.output()}`);

  postgres = await startEmbeddedPostgres(pgOptions);
  outage.to = Date.now();
  await waitShowingOutput([api.running], async () => (await readyStatus(api)) === 200 && load.succeedsSince(outage.to + 500), RECOVERY_MS, 'recovery');
  await load.stop();

  assertOnlySuccessOr503(load.outcomes);
  const pool = createPool(postgres.url, { max: 1, log: createLogger('silent') });
  cleanups.push(() => pool.end());
  await assertNothingLost(pool, load.outcomes);
  // The embedded workers came back too: events confirmed before, during and after the outage arrive.
  await assertDeliveredOnce(hook, load.outcomes, outage);
  assertShortLogLines(api.running);

  api.running.child.kill('SIGTERM');
  assert.equal(await api.running.exited, 0, `clean exit after the outage\n${api.running.output()}`);
});

test('failover on the shared server: connections killed, then the network cut; serve and a worker recover', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-failover-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const database: TestDatabase = await createTestDatabase({ migrate: false });
  cleanups.push(() => database.drop());
  const { proxy, url } = await throughProxy(database.url);

  const hook = await receiver();
  const env = processEnv(url, dir);
  const api = await startServe({ ...env, VERIDITY_EMBEDDED_WORKERS: 'false' });
  const worker = track(startProcess(['worker'], { ...env, LOG_LEVEL: 'info' }));
  await waitShowingOutput([worker], async () => worker.output().includes('"msg":"worker started"'), 30_000, 'worker start');
  const partner = await createPartner(api, hook.url);
  const load = startLoad(api, partner.api_key);
  cleanups.push(() => load.stop());
  await delay(1_500);

  // A failover as the app sees it: every session of its database is killed, again and again...
  const outage = { from: Date.now(), to: 0 };
  const killer = new pg.Client({ connectionString: database.url });
  killer.on('error', () => {});
  await killer.connect();
  cleanups.push(() => killer.end());
  for (const until = Date.now() + 3_000; Date.now() < until; await delay(100)) {
    await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [new URL(database.url).pathname.slice(1)]);
  }
  // ...then the server cannot be reached at all.
  proxy.cut();
  await waitShowingOutput([api.running], async () => (await readyStatus(api)) === 503, 10_000, '/readyz 503 while the network is cut');
  await delay(2_000);
  assert.ok(alive(api.running), `serve is still running\n${api.running.output()}`);
  assert.ok(alive(worker), `the worker is still running\n${worker.output()}`);

  proxy.restore();
  outage.to = Date.now();
  await waitShowingOutput([api.running, worker], async () => (await readyStatus(api)) === 200 && load.succeedsSince(outage.to + 500), RECOVERY_MS, 'recovery');
  await load.stop();

  assertOnlySuccessOr503(load.outcomes);
  await assertNothingLost(database.pool, load.outcomes);
  await assertDeliveredOnce(hook, load.outcomes, outage);
  for (const running of [api.running, worker]) assertShortLogLines(running);

  for (const running of [api.running, worker]) running.child.kill('SIGTERM');
  assert.equal(await api.running.exited, 0, `serve exits cleanly after the outage\n${api.running.output()}`);
  assert.equal(await worker.exited, 0, `the worker exits cleanly after the outage\n${worker.output()}`);
});
