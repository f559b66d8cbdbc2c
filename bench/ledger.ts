// Ledger: how many outcomes per second the log absorbs, and how long an outcome waits for its receipt.
//
//   npm run bench:ledger          (TEST_DATABASE_URL or DATABASE_URL names a PostgreSQL server to
//                                  use; otherwise an embedded PostgreSQL runs in a temp dir)
//
// One sequencer (startLedgerSequencer, as `veridity worker ledger` runs it) in this process, on its
// own connections; producers append one entry each, group-committed as verifications are (concurrent
// requests share a transaction, two transactions in flight: src/modules/zk/verify/record-verifications.ts).
// 0. Sequencer capacity: a backlog of entries queued up front, drained by the sequencer alone.
// 1. Sustained appends: PRODUCERS concurrent producers append as fast as they can for a fixed time while the
//    sequencer runs; the rate is every entry appended over the time until the last one is sequenced.
// 2. Outcome to receipt: entries at a steady rate; the delay is from each COMMIT returning to the
//    first checkpoint covering the entry becoming visible (when GET /api/v1/receipts answers 200),
//    with LEDGER_CHECKPOINT_SECONDS (default 5). A sample of receipts is built and checked offline.
// The last line is `ledger_appends_per_s=<x>` (phase 1).
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { systemClock } from '../src/platform/clock.ts';
import { createPlatformKeys } from '../src/platform/crypto/platform-keys.ts';
import { createSecretBox } from '../src/platform/crypto/secret-box.ts';
import { wrapPool } from '../src/platform/db/database.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';
import { createGroupCommit } from '../src/platform/db/group-commit.ts';
import { createPool, inTransaction } from '../src/platform/db/pool.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { appendLedgerEntries, appendLedgerEntry } from '../src/modules/ledger/append-ledger-entry.ts';
import { checkReceipt } from '../src/modules/ledger/check-receipt.ts';
import { getLedgerVerifierKey } from '../src/modules/ledger/get-ledger-verifier-key.ts';
import { getReceipt } from '../src/modules/ledger/get-receipt.ts';
import { startLedgerSequencer } from '../src/modules/ledger/ledger-sequencer.ts';
import { ledgerLeaf } from '../src/modules/ledger/tlog/index.ts';

const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 30_000);
const PRODUCERS = Number(process.env.BENCH_PRODUCERS ?? 32);
// As the verification recorder: batches of up to 64, two transactions in flight.
const GROUP_COMMIT = { maxBatch: 64, maxInFlight: 2 };
const SUSTAINED_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LATENCY_RATE_PER_S = 200;
const LATENCY_SECONDS = 10;
const CHECKPOINT_SECONDS = Number(process.env.LEDGER_CHECKPOINT_SECONDS ?? 5);
const RECEIPT_SAMPLE = 50;

// Quiet: DROP DATABASE ... WITH (FORCE) at the end cuts connections a closing pool has not let go of yet.
const log = createLogger('error');
const database = await openBenchDatabase(log);
const producers = createPool(database.url, { max: 8, log });
const sequencerPool = createPool(database.url, { max: 3, log, applicationName: 'veridity-ledger' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
let serial = 0;
const entry = () => ({ kind: 'zk_proof', public_id: `prf_bench${serial++}`, claim_type: 'age_over_18', status: 'verified', public_hash: randomBytes(32).toString('hex'), ts: new Date() });
const appends = createGroupCommit(
  (entries: ReturnType<typeof entry>[]) => inTransaction(producers, (tx) => appendLedgerEntries(tx, entries)).then(() => entries.map(() => undefined)),
  GROUP_COMMIT,
);
const treeSize = async () => (await producers.query<{ tree_size: number }>('SELECT tree_size FROM ledger_tree_head')).rows[0]!.tree_size;
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

let stopSequencer: (() => Promise<void>) | undefined;
try {
  await runMigrations(producers);
  const platformKeys = createPlatformKeys({ db: wrapPool(sequencerPool), secretBox: createSecretBox([randomBytes(32)]) });
  const sequencerDeps = { pool: sequencerPool, clock: systemClock, log, platformKeys, checkpointSeconds: CHECKPOINT_SECONDS };

  // Phase 0: the sequencer alone, draining a queued backlog.
  for (let queued = 0; queued < BACKLOG; queued += 5000) {
    const entries = Array.from({ length: Math.min(5000, BACKLOG - queued) }, entry);
    await producers.query('INSERT INTO ledger_entries (kind, public_id, leaf) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])', [
      entries.map((e) => e.kind),
      entries.map((e) => e.public_id),
      entries.map((e) => ledgerLeaf(e)),
    ]);
  }
  const drainStarted = performance.now();
  const sequencer = startLedgerSequencer(sequencerDeps);
  stopSequencer = () => sequencer.stop();
  await until(async () => (await treeSize()) >= BACKLOG, 'the backlog');
  const drainSeconds = (performance.now() - drainStarted) / 1000;

  // Phase 1: sustained appends with the sequencer running.
  const before = await treeSize();
  let appended = 0;
  let maxBacklog = 0;
  const started = performance.now();
  const deadline = started + SUSTAINED_SECONDS * 1000;
  const sampler = (async () => {
    while (performance.now() < deadline) {
      maxBacklog = Math.max(maxBacklog, before + appended - (await treeSize()));
      await sleep(250);
    }
  })();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (performance.now() < deadline) {
        await appends.submit(entry());
        appended++;
      }
    }),
  );
  const producedSeconds = (performance.now() - started) / 1000;
  await sampler;
  await until(async () => (await treeSize()) >= before + appended, 'phase 1 sequencing');
  const sustainedSeconds = (performance.now() - started) / 1000;
  const perSecond = appended / sustainedSeconds;

  // Phase 2: outcome to receipt at a steady rate. A watcher notes when each checkpoint becomes visible.
  const checkpointsSeen: Array<{ size: number; at: number }> = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const { rows } = await producers.query<{ tree_size: number }>('SELECT tree_size FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
      const size = rows[0]?.tree_size ?? -1;
      if (size > (checkpointsSeen.at(-1)?.size ?? -1)) checkpointsSeen.push({ size, at: performance.now() });
      await sleep(20);
    }
  })();
  const committedAt = new Map<string, number>();
  const total = LATENCY_RATE_PER_S * LATENCY_SECONDS;
  const phase2Start = performance.now();
  await Promise.all(
    Array.from({ length: total }, async (_, n) => {
      await sleep(phase2Start + (n * 1000) / LATENCY_RATE_PER_S - performance.now());
      const e = entry();
      await inTransaction(producers, (tx) => appendLedgerEntry(tx, e));
      committedAt.set(e.public_id, performance.now());
    }),
  );
  await until(async () => {
    const { rows } = await producers.query<{ tree_size: number }>('SELECT max(tree_size)::bigint AS tree_size FROM ledger_checkpoints');
    return rows[0]!.tree_size >= before + appended + total && (checkpointsSeen.at(-1)?.size ?? 0) >= before + appended + total;
  }, 'phase 2 checkpoints', (CHECKPOINT_SECONDS + 10) * 1000);
  watching = false;
  await watcher;
  const { rows: positions } = await producers.query<{ public_id: string; idx: number }>('SELECT public_id, idx FROM ledger_entries WHERE public_id = ANY($1::text[])', [[...committedAt.keys()]]);
  if (positions.length !== total) throw new Error(`${total - positions.length} phase 2 entries are missing from the log`);
  const indexOf = new Map(positions.map((row) => [row.public_id, row.idx]));
  const delays = [...committedAt]
    .map(([id, at]) => checkpointsSeen.find((checkpoint) => checkpoint.size > indexOf.get(id)!)!.at - at)
    .sort((a, b) => a - b);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)]!;

  // The receipts themselves: built as the API builds them, checked offline as `veridity verify-receipt` does.
  const key = await getLedgerVerifierKey({ pool: producers, platformKeys });
  const sample = [...committedAt.keys()].filter((_, i) => i % Math.ceil(total / RECEIPT_SAMPLE) === 0);
  let valid = 0;
  const receiptStarted = performance.now();
  for (const publicId of sample) {
    const receipt = await getReceipt({ pool: producers }, { kind: 'zk_proof', publicId });
    if (receipt.state === 'ready' && checkReceipt(receipt.receipt, [key]).ok) valid++;
  }
  const receiptMs = (performance.now() - receiptStarted) / sample.length;
  if (valid !== sample.length) throw new Error(`only ${valid} of ${sample.length} sampled receipts verified`);

  console.log(`Ledger sequencer, one process (${availableParallelism()} cores${database.embedded ? ', embedded PostgreSQL' : ''}), batches of 1000 entries per transaction`);
  console.log(`phase 0: ${BACKLOG} queued entries sequenced in ${drainSeconds.toFixed(2)} s = ${(BACKLOG / drainSeconds).toFixed(0)} entries/s (sequencer alone)`);
  console.log(
    `phase 1: ${PRODUCERS} producers, one entry each, group-committed (batches <= ${GROUP_COMMIT.maxBatch}, ${GROUP_COMMIT.maxInFlight} in flight), ` +
      `${appended} entries in ${producedSeconds.toFixed(1)} s (${(appended / producedSeconds).toFixed(0)}/s); all sequenced ${(sustainedSeconds - producedSeconds).toFixed(2)} s after the last commit; largest backlog ${maxBacklog}`,
  );
  console.log(
    `phase 2: ${total} entries at ${LATENCY_RATE_PER_S}/s, LEDGER_CHECKPOINT_SECONDS=${CHECKPOINT_SECONDS}; commit-to-receipt ` +
      `p50=${pct(50).toFixed(0)} ms p90=${pct(90).toFixed(0)} ms p99=${pct(99).toFixed(0)} ms max=${pct(100).toFixed(0)} ms`,
  );
  console.log(`receipts: ${valid}/${sample.length} sampled receipts verified offline; building one took ${receiptMs.toFixed(1)} ms (tree of ${await treeSize()} entries)`);
  console.log(`p99_outcome_to_receipt_ms=${pct(99).toFixed(0)}`);
  console.log(`ledger_appends_per_s=${perSecond.toFixed(0)}`);
} finally {
  await stopSequencer?.();
  await producers.end();
  await sequencerPool.end();
  await database.close();
}
