/**
 * Scale-out on one machine (issue 17): two `serve` processes (VERIDITY_EMBEDDED_WORKERS=false,
 * GLOBAL_MANAGER_EMBEDDED=false), two `worker` processes (every kind) and two `global-manager`
 * processes, all started at once on one fresh database of the PostgreSQL service and one Redis,
 * requests spread over both APIs:
 *   a. the same proof sent to both APIs at once verifies once: the other answer is NONCE_REPLAY
 *      (one proof, raced by as many partners: a nonce is single-use per partner);
 *   b. a partner's rate limit holds across the replicas (their counters are in Redis);
 *   c. webhook events (2,000 by default) are each delivered exactly once by the two workers;
 *   d. one ledger sequencer at a time, and `veridity verify-ledger` is clean;
 *   e. kill -9 of one API and one worker under load loses no committed outcome: each gets its
 *      receipt and its webhook, and the surviving API and worker carry on;
 *   f. one global manager leads at a time.
 * The counts are printed on one `scale-out: ...` line. Skipped, with the reason printed, when the
 * PostgreSQL server (TEST_DATABASE_URL) or Redis does not answer. SCALE_OUT_NONCES (partners
 * racing in a) and SCALE_OUT_EVENTS change the sizes of a and c.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { generateToken } from '#platform/crypto/tokens.ts';
import { LEDGER_SEQUENCER_LOCK_KEY } from '#modules/ledger/sequencer-lock.ts';
import { laneLayout } from '#modules/webhooks/run-webhook-worker.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver, type HolderProof, type IssuerKey } from './support/holder.ts';
import { cleanEnv, freePort, runToEnd, startProcess, waitFor, type Running } from './support/processes.ts';
import { postgresUnavailable, REDIS_URL, redisUnavailable } from './support/services.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const NONCES = Number(process.env.SCALE_OUT_NONCES ?? 20);
const EVENTS = Number(process.env.SCALE_OUT_EVENTS ?? 2000);
const RATE_LIMIT = 20;
const WEBHOOK_CONCURRENCY = 16;
/**
 * What a killed worker may have claimed and not recorded, to be sent again: each lane's open batch.
 * An attempt's slot is free as soon as it ends, before its batch is recorded, so this is more than
 * WEBHOOK_CONCURRENCY.
 */
const { lanes, batchSize } = laneLayout(WEBHOOK_CONCURRENCY);
const MAX_SENT_AGAIN = lanes * batchSize;
/** Verifications committed before the kill, and answered by the surviving API after it. */
const LOAD_BEFORE_KILL = 100;
const LOAD_AFTER_KILL = 100;
const DOMAIN = 'bank.example';
const UNLIMITED = 1_000_000;

const pgDown = await postgresUnavailable();
const redisDown = await redisUnavailable();
const skip = pgDown ? `the PostgreSQL server (TEST_DATABASE_URL) does not answer: ${pgDown}` : redisDown ? `Redis at ${REDIS_URL} does not answer: ${redisDown}` : false;
if (skip) console.log(`# skipping the scale-out test: ${skip}`);

type Api = { base: string; running: Running };
type Worker = { metrics: string; running: Running };
type Manager = { base: string; running: Running };
type Answer = { status: number; body: any; headers: Headers };
type Partner = { id: string; api_key: string };
type Prepared = { nonce: string; proof: HolderProof };

let database: TestDatabase;
let dataDir: string;
let env: (extra?: Record<string, string>) => NodeJS.ProcessEnv;
let adminToken: string;
const processes: Running[] = [];
const receivers: Receiver[] = [];
let apis: Api[];
let workers: Worker[];
let managers: Manager[];
let issuer: IssuerKey;
let proof: Prepared;
let sampler: ReturnType<typeof startSampler>;
/** What the summary line prints, filled in by each step. */
const summary: Record<string, string> = {};

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

function start(args: string[], extra: Record<string, string>): Running {
  const running = startProcess(args, env(extra));
  processes.push(running);
  return running;
}

async function startApi(name: string): Promise<Api> {
  const port = await freePort();
  // warn: no line per request; readiness is /readyz.
  const running = start(['serve'], { PORT: String(port), VERIDITY_EMBEDDED_WORKERS: 'false', GLOBAL_MANAGER_EMBEDDED: 'false', VERIFIER_THREADS: '1', LOG_LEVEL: 'warn' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, 180_000, `${name} ready\n${running.output()}`);
  return { base, running };
}

async function startWorker(name: string): Promise<Worker> {
  const port = await freePort();
  const running = start(['worker'], { WORKER_METRICS_PORT: String(port), WEBHOOK_CONCURRENCY: String(WEBHOOK_CONCURRENCY) });
  await waitFor(async () => running.output().includes('"msg":"worker started"'), 180_000, `${name} started\n${running.output()}`);
  return { metrics: `http://127.0.0.1:${port}/metrics`, running };
}

async function startManager(name: string): Promise<Manager> {
  const port = await freePort();
  const running = start(['global-manager'], { GLOBAL_MANAGER_ADMIN_PORT: String(port), GLOBAL_MANAGER_INTERVAL_SECONDS: '2', GLOBAL_MANAGER_STANDBY_POLL_SECONDS: '1' });
  await waitFor(async () => running.output().includes('"msg":"global manager started"'), 180_000, `${name} started\n${running.output()}`);
  return { base: `http://127.0.0.1:${port}`, running };
}

async function call(api: Api, method: string, url: string, options: { apiKey?: string; admin?: boolean; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.admin) headers.authorization = `Bearer ${adminToken}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${api.base}${url}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  const body = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  return { status: response.status, body, headers: response.headers };
}

async function createPartner(body: Record<string, unknown>): Promise<Partner> {
  const created = await call(apis[0]!, 'POST', '/api/admin/clients', { admin: true, body: { name: 'Scale-out Bank', scopes: ['age_over_18'], rate_limit_per_minute: UNLIMITED, ...body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

function verifyBody(prepared: Prepared, nonce = prepared.nonce) {
  return {
    claim_type: 'age_over_18',
    circuit_version: '1.0.0',
    proof: prepared.proof.proof,
    public_signals: prepared.proof.publicSignals,
    request: { verifier_domain: DOMAIN, nonce },
  };
}

const freshNonce = () => randomBytes(24).toString('base64url');

/** `count` calls of `fn`, at most `width` at a time. */
async function inParallel(count: number, width: number, fn: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await fn(next++);
  }));
}

/** A counter's value in Prometheus text (0 when absent). */
async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const delivered = (worker: Worker) => metric(worker.metrics, 'veridity_webhook_attempts_total{outcome="delivered"}');

async function scalar(sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(sql, values);
  return Number(rows[0]!.n);
}

const deliveredCount = (clientIds: string[]) => scalar("SELECT count(*)::int AS n FROM webhooks_outbox WHERE client_id = ANY($1) AND status = 'delivered'", [clientIds]);

async function proofIdsOf(clientIds: string[]): Promise<string[]> {
  const { rows } = await database.pool.query<{ id: string }>('SELECT id FROM proofs WHERE client_id = ANY($1) ORDER BY id', [clientIds]);
  return rows.map((row) => row.id);
}

/** Requests per webhook-id, and the proof ids the payloads announce. */
function received(hook: Receiver): { ids: Map<string, number>; duplicates: number; proofIds: Set<string> } {
  const ids = hook.countsById();
  const duplicates = [...ids.values()].reduce((sum, count) => sum + count - 1, 0);
  return { ids, duplicates, proofIds: new Set(hook.received.map((request) => String(JSON.parse(request.body.toString()).proof_id))) };
}

/**
 * Watches, until stopped, who holds the ledger sequencer's advisory lock (pg_locks, every 50 ms)
 * and which global manager says it leads (each one's /status.json, every 500 ms).
 */
function startSampler() {
  const sequencer = { samples: 0, held: 0, maxHolders: 0, backends: new Set<number>() };
  const leaders = { samples: 0, maxLeaders: 0, runners: new Set<string>() };
  const errors: unknown[] = [];
  let stopped = false;
  const every = async (ms: number, sample: () => Promise<void>) => {
    while (!stopped) {
      await sample().catch((error: unknown) => errors.push(error));
      await delay(ms);
    }
  };
  const sampleLocks = async () => {
    const { rows } = await database.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((classid::bigint << 32) | objid::bigint) = $1`,
      [LEDGER_SEQUENCER_LOCK_KEY],
    );
    sequencer.samples += 1;
    if (rows.length > 0) sequencer.held += 1;
    sequencer.maxHolders = Math.max(sequencer.maxHolders, rows.length);
    for (const row of rows) sequencer.backends.add(row.pid);
  };
  const sampleLeaders = async () => {
    const statuses = await Promise.all(managers.map(async (manager) => (await fetch(`${manager.base}/status.json`)).json() as Promise<{ this_process: { runner: string; is_leader: boolean } }>));
    const leading = statuses.filter((status) => status.this_process.is_leader);
    leaders.samples += 1;
    leaders.maxLeaders = Math.max(leaders.maxLeaders, leading.length);
    for (const status of leading) leaders.runners.add(status.this_process.runner);
  };
  const running = Promise.all([every(50, sampleLocks), every(500, sampleLeaders)]);
  return {
    sequencer,
    leaders,
    /** Samples that failed (a query, a status page): none is expected. */
    errors,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function verifyLedger(): Promise<{ treeSize: number }> {
  const result = await runToEnd(['verify-ledger'], env());
  assert.equal(result.code, 0, result.output);
  assert.match(result.stdout, /ledger OK/);
  const size = /tree size (\d+), pending 0,/.exec(result.stdout);
  assert.ok(size, result.stdout);
  return { treeSize: Number(size[1]) };
}

/** A proof for a fresh nonce, made as a holder's device makes it (snarkjs in this process). */
async function prepareProof(): Promise<Prepared> {
  const credential = await issueCredential(issuer, attributes());
  const nonce = freshNonce();
  return { nonce, proof: await prove(credential, 'age_over_18', { nonce, verifierDomain: DOMAIN, param: 18n }) };
}

describe('scale-out: two APIs, two workers, two global managers on one PostgreSQL and one Redis', { skip }, () => {
  before(async () => {
    database = await createTestDatabase({ migrate: false });
    dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-scale-out-'));
    adminToken = generateToken('vat');
    const common = {
      DATABASE_URL: database.url,
      VERIDITY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      VERIDITY_ADMIN_TOKEN: adminToken,
      // One object store for every process, as S3 would be.
      VERIDITY_DATA_DIR: dataDir,
      REDIS_URL,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      LEDGER_CHECKPOINT_SECONDS: '1',
      DATABASE_POOL_MAX: '5',
      LOG_LEVEL: 'info',
    };
    env = (extra = {}) => cleanEnv({ ...common, ...extra });
    issuer = await generateIssuerKey();
    // All six at once on the empty database (migrations race under their lock), while this
    // process makes the proof that (a) races and (e) sends with other nonces.
    const began = Date.now();
    const seconds = () => `${Math.round((Date.now() - began) / 1000)} s`;
    let stackUp = '';
    let proved = '';
    const stack = Promise.all([
      Promise.all([startApi('api-1'), startApi('api-2')]),
      Promise.all([startWorker('worker-1'), startWorker('worker-2')]),
      Promise.all([startManager('manager-1'), startManager('manager-2')]),
    ]).finally(() => (stackUp = seconds()));
    [[apis, workers, managers], proof] = await Promise.all([stack, prepareProof().finally(() => (proved = seconds()))]);
    // For reading a slow run, never asserted.
    summary.start = `six processes ready in ${stackUp}, the proof made in ${proved}`;
    sampler = startSampler();
    const trusted = await call(apis[1]!, 'POST', '/api/admin/issuers', { admin: true, body: { name: 'Scale-out Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] } });
    assert.equal(trusted.status, 201, JSON.stringify(trusted.body));
  }, { timeout: 300_000 });

  after(async () => {
    await sampler?.stop();
    console.log(`scale-out: ${Object.entries(summary).map(([step, counts]) => `${step}: ${counts}`).join(' | ')}`);
    const alive = processes.filter((running) => running.child.exitCode === null && running.child.signalCode === null);
    for (const running of alive) running.child.kill('SIGTERM');
    const stopped = await Promise.race([Promise.all(alive.map((running) => running.exited)).then(() => true), delay(30_000, false)]);
    if (!stopped) for (const running of alive) running.child.kill('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
    await Promise.all(receivers.map((hook) => hook.close()));
    await releaseProver();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let nonceBanks: Partner[];
  let nonceHook: Receiver;

  test('a. the same proof sent to both APIs at once verifies once; the other answer is a replay', { timeout: 120_000 }, async () => {
    nonceHook = await receiver();
    nonceBanks = await Promise.all(Array.from({ length: NONCES }, () => createPartner({ webhook_url: nonceHook.url })));
    const races = await Promise.all(nonceBanks.map(async (bank, i) => {
      // Each partner's use of the nonce goes to both at the same moment; which one is asked first alternates.
      const pair = i % 2 === 0 ? apis : [...apis].reverse();
      return Promise.all(pair.map((api) => call(api, 'POST', '/api/v1/verify', { apiKey: bank.api_key, body: verifyBody(proof) })));
    }));
    let verified = 0;
    let replays = 0;
    for (const answers of races) {
      const ok = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 409);
      assert.equal(ok.length, 1, `one success per nonce: ${JSON.stringify(answers.map((answer) => answer.body))}`);
      assert.equal(refused.length, 1, `one refusal per nonce: ${JSON.stringify(answers.map((answer) => answer.body))}`);
      assert.equal(ok[0]!.body.status, 'verified');
      assert.equal(refused[0]!.body.error_code, 'NONCE_REPLAY');
      verified += ok.length;
      replays += refused.length;
    }
    const bankIds = nonceBanks.map((bank) => bank.id);
    const stored = await proofIdsOf(bankIds);
    assert.deepEqual(stored, races.map((answers) => answers.find((answer) => answer.status === 200)!.body.proof_id).sort(), 'one proof row per nonce, the one answered');
    assert.equal(await scalar('SELECT count(*)::int AS n FROM used_nonces WHERE client_id = ANY($1)', [bankIds]), NONCES);
    summary.a = `one nonce sent to both APIs by ${NONCES} partners, verified ${verified}, refused as replays ${replays}`;
  });

  test("b. a partner's rate limit holds across the replicas", { timeout: 60_000 }, async () => {
    const limited = await createPartner({ rate_limit_per_minute: RATE_LIMIT });
    const perApi = apis.map(() => ({ accepted: 0, refused: 0 }));
    await inParallel(3 * RATE_LIMIT, 6, async (i) => {
      const answer = await call(apis[i % 2]!, 'GET', '/api/v1/webhooks/deliveries?limit=1', { apiKey: limited.api_key });
      if (answer.status === 200) return void (perApi[i % 2]!.accepted += 1);
      assert.equal(answer.status, 429, JSON.stringify(answer.body));
      assert.equal(answer.body.error_code, 'RATE_LIMITED');
      assert.ok(Number(answer.headers.get('retry-after')) >= 1, 'Retry-After');
      perApi[i % 2]!.refused += 1;
    });
    const accepted = perApi.reduce((sum, api) => sum + api.accepted, 0);
    const refused = perApi.reduce((sum, api) => sum + api.refused, 0);
    // Counters in each process's memory would accept RATE_LIMIT on each API.
    assert.equal(accepted, RATE_LIMIT, `accepted per API: ${JSON.stringify(perApi)}`);
    assert.equal(refused, 2 * RATE_LIMIT);
    assert.ok(perApi.every((api) => api.accepted > 0 && api.refused > 0), `both APIs count into one counter: ${JSON.stringify(perApi)}`);
    summary.b = `limit ${RATE_LIMIT}/min, ${3 * RATE_LIMIT} requests over both APIs: accepted ${accepted} (${perApi.map((api) => api.accepted).join('+')}), 429 ${refused}`;
  });

  test('c. webhook events are each delivered exactly once by the two workers', { timeout: 240_000 }, async () => {
    const hook = await receiver();
    const partner = await createPartner({ webhook_url: hook.url });
    const ids: string[] = [];
    await inParallel(EVENTS, 32, async (i) => {
      const answer = await call(apis[i % 2]!, 'POST', '/api/v1/webhooks/test', { apiKey: partner.api_key });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      ids.push(answer.body.delivery_id);
    });
    // A delivery is recorded only after the receiver answered it: once all are, nothing more is on its way.
    await waitFor(async () => (await deliveredCount([partner.id])) === EVENTS, 180_000, `${EVENTS} events delivered`);
    const events = received(hook);
    assert.deepEqual([...events.ids.keys()].sort(), ids.sort(), 'every event arrived');
    assert.equal(events.duplicates, 0, 'no event was sent twice');

    const bankIds = nonceBanks.map((bank) => bank.id);
    await waitFor(async () => (await deliveredCount(bankIds)) === NONCES, 60_000, 'the proof.verified events of (a)');
    const verifiedEvents = received(nonceHook);
    assert.equal(verifiedEvents.ids.size, NONCES);
    assert.equal(verifiedEvents.duplicates, 0);
    assert.deepEqual([...verifiedEvents.proofIds].sort(), await proofIdsOf(bankIds));

    const perWorker = await Promise.all(workers.map(delivered));
    assert.equal(perWorker[0]! + perWorker[1]!, EVENTS + NONCES, 'one attempt per event');
    assert.ok(perWorker.every((count) => count > 0), `both workers delivered: ${perWorker.join(', ')}`);
    summary.c = `${EVENTS} test events over both APIs + ${NONCES} proof.verified: received ${events.ids.size + verifiedEvents.ids.size}, duplicates ${events.duplicates + verifiedEvents.duplicates}, per worker ${perWorker.join('+')}`;
  });

  test('d. one ledger sequencer at a time; verify-ledger is clean', { timeout: 60_000 }, async () => {
    const entries = await scalar('SELECT count(*)::int AS n FROM ledger_entries');
    await waitFor(async () => (await scalar('SELECT coalesce(max(tree_size), 0)::int AS n FROM ledger_checkpoints')) === entries, 30_000, 'a checkpoint over every entry');
    const positions = (await database.pool.query<{ n: number; first: number; last: number }>('SELECT count(idx)::int AS n, min(idx)::int AS first, max(idx)::int AS last FROM ledger_entries')).rows[0]!;
    assert.deepEqual(positions, { n: entries, first: 0, last: entries - 1 }, 'each entry has one position, none skipped');
    const perWorker = await Promise.all(workers.map((worker) => metric(worker.metrics, 'veridity_ledger_entries_sequenced_total')));
    assert.equal(perWorker[0]! + perWorker[1]!, entries, 'each entry sequenced by one worker');
    const { sequencer } = sampler;
    assert.deepEqual(sampler.errors, [], 'every sample taken');
    assert.ok(sequencer.maxHolders <= 1, `at most one holder of the sequencer lock at a time (saw ${sequencer.maxHolders})`);
    const ledger = await verifyLedger();
    assert.equal(ledger.treeSize, entries);
    summary.d = `tree ${entries}, sequenced per worker ${perWorker.join('+')}, lock held in ${sequencer.held}/${sequencer.samples} samples by at most ${sequencer.maxHolders} (${sequencer.backends.size} backends over time), verify-ledger OK`;
  });

  test('e. kill -9 of one API and one worker under load: every committed outcome gets its receipt and its webhook; the survivors carry on', { timeout: 240_000 }, async () => {
    // Answers take 100 ms, so deliveries are in flight when the worker dies.
    const hook = await receiver((_request, response) => void setTimeout(() => response.writeHead(204).end(), 100));
    const partner = await createPartner({ webhook_url: hook.url });
    const [victim, survivor] = apis as [Api, Api];
    const [doomedWorker, survivingWorker] = workers as [Worker, Worker];
    // The valid proof of (a) sent with fresh nonces: each is a committed outcome (proof.failed, BINDING_MISMATCH) with a ledger entry and a webhook.
    type Sent = { api: Api; afterKill: boolean; status: number | 'no answer'; proofId?: string; code?: string };
    const sent: Sent[] = [];
    let killed = false;
    let stop = false;
    const clients = Array.from({ length: 8 }, async (_, i) => {
      const api = apis[i % 2]!;
      while (!stop) {
        const afterKill = killed;
        try {
          const answer = await call(api, 'POST', '/api/v1/verify', { apiKey: partner.api_key, body: verifyBody(proof, freshNonce()) });
          sent.push({ api, afterKill, status: answer.status, proofId: answer.body.proof_id, code: answer.body.error_code });
        } catch {
          sent.push({ api, afterKill, status: 'no answer' });
          if (api === victim) return; // its clients stop: the replica is gone
        }
      }
    });

    await waitFor(
      async () => hook.inFlight() >= 2 && (await scalar('SELECT count(*)::int AS n FROM proofs WHERE client_id = $1', [partner.id])) >= LOAD_BEFORE_KILL,
      90_000,
      'load under way, webhooks in flight',
    );
    const inFlightAtKill = hook.inFlight();
    const deliveredBeforeKill = await delivered(survivingWorker);
    victim.running.child.kill('SIGKILL');
    doomedWorker.running.child.kill('SIGKILL');
    killed = true;
    await Promise.all([victim.running.exited, doomedWorker.running.exited]);
    await waitFor(async () => sent.filter((request) => request.api === survivor && request.afterKill).length >= LOAD_AFTER_KILL, 90_000, 'the surviving API answering');
    stop = true;
    await Promise.all(clients);

    const afterKill = sent.filter((request) => request.api === survivor && request.afterKill);
    const unexpected = afterKill.filter((request) => request.status !== 422 || request.code !== 'BINDING_MISMATCH' || !request.proofId);
    assert.deepEqual(unexpected, [], 'every request to the surviving API after the kill was answered with its outcome');
    const committed = await proofIdsOf([partner.id]);
    const answered = sent.flatMap((request) => (request.proofId ? [request.proofId] : []));
    assert.deepEqual(answered.filter((id) => !committed.includes(id)), [], 'every answered outcome is committed');

    // Receipts: each committed outcome is sequenced and covered by a checkpoint, served by the surviving API.
    await waitFor(
      async () => (await scalar(
        `SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'zk_proof' AND public_id = ANY($1)
            AND idx < (SELECT coalesce(max(tree_size), 0) FROM ledger_checkpoints)`,
        [committed],
      )) === committed.length,
      60_000,
      'every committed outcome in a checkpoint',
    );
    const receipts = { served: 0, other: [] as string[] };
    await inParallel(committed.length, 8, async (i) => {
      const answer = await call(survivor, 'GET', `/api/v1/receipts/${committed[i]}`, { apiKey: partner.api_key });
      if (answer.status === 200 && String(answer.body).startsWith('c2sp.org/tlog-proof@v1')) receipts.served += 1;
      else receipts.other.push(`${committed[i]}: ${answer.status}`);
    });
    assert.deepEqual(receipts.other, [], 'a receipt for every committed outcome');

    // Webhooks: every committed outcome announced; only what the killed worker had claimed and not recorded may come twice.
    await waitFor(async () => (await deliveredCount([partner.id])) === committed.length, 120_000, `the webhooks of all ${committed.length} outcomes`);
    const events = received(hook);
    assert.deepEqual([...events.proofIds].sort(), committed, 'a webhook for every committed outcome');
    assert.equal(events.ids.size, committed.length);
    assert.ok(events.duplicates <= MAX_SENT_AGAIN, `at most the killed worker's ${MAX_SENT_AGAIN} claimed deliveries sent again (${events.duplicates})`);
    const attempts = await scalar('SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhooks_outbox o ON o.id = a.delivery_id WHERE o.client_id = $1', [partner.id]);
    assert.equal(attempts, committed.length, "the killed worker's unrecorded attempts rolled back with it");
    const deliveredAfterKill = (await delivered(survivingWorker)) - deliveredBeforeKill;
    assert.ok(deliveredAfterKill > 0, 'the surviving worker carried on');

    const ledger = await verifyLedger();
    assert.equal(ledger.treeSize, await scalar('SELECT count(*)::int AS n FROM proofs'), 'one ledger entry per outcome, no more');
    const lostAnswers = sent.filter((request) => request.status === 'no answer').length;
    summary.e = `committed ${committed.length} (answered ${answered.length}, unanswered ${committed.length - answered.length}, requests cut by the kill ${lostAnswers}), ` +
      `receipts ${receipts.served}, webhooks ${events.ids.size} (duplicates ${events.duplicates}, ${inFlightAtKill} in flight at the kill), ` +
      `surviving API answered ${afterKill.length} after the kill, surviving worker delivered ${deliveredAfterKill}, verify-ledger OK at tree ${ledger.treeSize}`;
  });

  test('f. one global manager leads at a time', { timeout: 60_000 }, async () => {
    const { leaders } = sampler;
    assert.deepEqual(sampler.errors, [], 'every sample taken');
    assert.ok(leaders.maxLeaders <= 1, `at most one leader at a time (saw ${leaders.maxLeaders})`);
    const statuses = await Promise.all(managers.map(async (manager) => (await fetch(`${manager.base}/status.json`)).json() as Promise<{ leader: string; this_process: { runner: string; is_leader: boolean } }>));
    const leading = statuses.filter((status) => status.this_process.is_leader);
    assert.equal(leading.length, 1, 'one leads, the other stands by');
    const leader = leading[0]!.this_process.runner;
    assert.deepEqual([...leaders.runners], [leader], 'the same leader throughout');
    const { rows } = await database.pool.query<{ runner: string; cycles: number }>('SELECT runner, count(DISTINCT cycle_id)::int AS cycles FROM global_manager_runs GROUP BY runner');
    assert.deepEqual(rows.map((row) => row.runner), [leader], 'every cycle ran on the leader');
    const viaApi = await call(apis[1]!, 'GET', '/api/admin/global-manager', { admin: true });
    assert.equal(viaApi.status, 200);
    assert.equal(viaApi.body.leader, leader, 'GET /api/admin/global-manager names the same leader');
    summary.f = `one leader in ${leaders.samples} samples of both managers, ${rows[0]!.cycles} cycles all on it`;
  });
});
