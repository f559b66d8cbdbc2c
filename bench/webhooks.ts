// Webhook delivery: two `veridity worker webhooks` processes deliver to a local receiver.
//
//   npm run bench:webhooks        (TEST_DATABASE_URL or DATABASE_URL names a PostgreSQL server to
//                                  use; otherwise an embedded PostgreSQL runs in a temp dir)
//
// 1. Throughput: N events are written (deferred), then made due in one commit; the rate is N over
//    the time from that commit to the last event's arrival at the receiver.
// 2. Latency: events written one per transaction at a steady rate (as verifications write them);
//    the delay is from each COMMIT returning to the event's arrival at the receiver.
// The last line is `webhooks_per_s=<x>` (phase 1).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { systemClock } from '../src/platform/clock.ts';
import { createSecretBox } from '../src/platform/crypto/secret-box.ts';
import { wrapPool } from '../src/platform/db/database.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';
import { createPool, inTransaction } from '../src/platform/db/pool.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { CLI_ACTOR } from '../src/modules/audit/record-audit.ts';
import { createClient } from '../src/modules/clients/create-client.ts';
import { enqueueWebhookEvent } from '../src/modules/webhooks/enqueue-webhook-event.ts';
import { cleanEnv, startProcess, waitFor, type Running } from '../test/support/processes.ts';

const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const LATENCY_RATE_PER_S = 200;
const LATENCY_SECONDS = 5;
const WORKERS = 2;

const log = createLogger('warn');
const database = await openBenchDatabase(log);
const databaseUrl = database.url;
const pool = createPool(databaseUrl, { max: 8, log });
const workers: Running[] = [];

// The receiver: arrival time per webhook-id (same process and clock as the producer).
const arrivals = new Map<string, number>();
let requests = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests += 1;
    const id = String(req.headers['webhook-id']);
    if (!arrivals.has(id)) arrivals.set(id, performance.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

try {
  await runMigrations(pool);
  const key = randomBytes(32);
  const partner = await createClient(
    { db: wrapPool(pool), clock: systemClock, secretBox: createSecretBox([key]) },
    { name: 'Bench Bank', scopes: ['age_over_18'], webhook_url: receiverUrl },
    CLI_ACTOR,
  );
  const event = (n: number) => ({ event: 'proof.verified', proof_id: `prf_bench${n}`, claim_type: 'age_over_18', status: 'verified', ts: new Date().toISOString() });

  const workerEnv = cleanEnv({ DATABASE_URL: databaseUrl, VERIDITY_ENCRYPTION_KEY: key.toString('hex'), WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'warn' });
  for (let i = 0; i < WORKERS; i++) workers.push(startProcess(['worker', 'webhooks'], workerEnv));
  // A worker is up once it answers the outbox: wait for one test event to come through.
  const warmup = await inTransaction(pool, (tx) => enqueueWebhookEvent(tx, { clientId: partner.id, type: 'webhook.test', subjectId: null, payload: { event: 'webhook.test' } }));
  await waitFor(async () => arrivals.has(warmup!), 60_000, 'the workers');
  await new Promise((resolve) => setTimeout(resolve, 2000)); // both processes polling

  // Phase 1: throughput.
  const batchIds = await inTransaction(pool, async (tx) => {
    const ids: string[] = [];
    for (let n = 0; n < THROUGHPUT_EVENTS; n++) {
      ids.push((await enqueueWebhookEvent(tx, { clientId: partner.id, type: 'proof.verified', subjectId: `prf_bench${n}`, payload: event(n) }))!);
    }
    await tx.query("UPDATE webhooks_outbox SET next_attempt_at = now() + interval '1 day' WHERE client_id = $1 AND status = 'pending'", [partner.id]);
    return ids;
  });
  await pool.query("UPDATE webhooks_outbox SET next_attempt_at = now() WHERE client_id = $1 AND status = 'pending'", [partner.id]);
  const releasedAt = performance.now();
  await waitFor(async () => batchIds.every((id) => arrivals.has(id)), 300_000, 'phase 1 deliveries');
  const lastArrival = Math.max(...batchIds.map((id) => arrivals.get(id)!));
  const throughputSeconds = (lastArrival - releasedAt) / 1000;
  const perSecond = THROUGHPUT_EVENTS / throughputSeconds;

  // Phase 2: commit-to-delivery delay at a steady rate, one event per transaction.
  const committedAt = new Map<string, number>();
  const total = LATENCY_RATE_PER_S * LATENCY_SECONDS;
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / LATENCY_RATE_PER_S;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = await inTransaction(pool, (tx) => enqueueWebhookEvent(tx, { clientId: partner.id, type: 'proof.verified', subjectId: `prf_lat${n}`, payload: event(n) }));
    committedAt.set(id!, performance.now());
  }
  await waitFor(async () => [...committedAt.keys()].every((id) => arrivals.has(id)), 120_000, 'phase 2 deliveries');
  const delays = [...committedAt].map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)]!;

  const { rows } = await pool.query<{ duplicates: number }>(
    "SELECT (count(*) - count(DISTINCT delivery_id))::int AS duplicates FROM webhook_attempts WHERE outcome = 'delivered'",
  );
  console.log(`Webhook delivery, ${WORKERS} worker processes (WEBHOOK_CONCURRENCY=${process.env.WEBHOOK_CONCURRENCY ?? 16} each), local receiver, ${availableParallelism()} cores${database.embedded ? ', embedded PostgreSQL' : ''}`);
  console.log(`phase 1: ${THROUGHPUT_EVENTS} events made due in one commit, all delivered in ${throughputSeconds.toFixed(2)} s`);
  console.log(`phase 2: ${total} events at ${LATENCY_RATE_PER_S}/s, one per transaction; commit-to-delivery p50=${pct(50).toFixed(0)} ms p90=${pct(90).toFixed(0)} ms p99=${pct(99).toFixed(0)} ms max=${pct(100).toFixed(0)} ms`);
  console.log(`requests at the receiver: ${requests} for ${arrivals.size} events; repeated deliveries recorded: ${rows[0]!.duplicates}`);
  console.log(`p99_commit_to_delivery_ms=${pct(99).toFixed(0)}`);
  console.log(`webhooks_per_s=${perSecond.toFixed(0)}`);
} finally {
  for (const worker of workers) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  receiver.closeAllConnections();
  receiver.close();
  await pool.end();
  await database.close();
}
