/**
 * TEE quote verification throughput.
 *
 * 1. Through the worker (the figure that counts): N attestation tasks are submitted with the same
 *    use case the API runs (task row + pg-boss job per task, one transaction each), then the
 *    production worker loop (startTaskWorker: TEE_WORKER_CONCURRENCY verifier threads, default 2,
 *    with TASKS_IN_FLIGHT_PER_THREAD tasks in flight each) works them on a real PostgreSQL: claim,
 *    verify (in a worker thread), result document to object storage (file system), EAR JWT
 *    signature, final transaction (task row, usage, webhook outbox, ledger entry, job done), shared by
 *    tasks finishing together (group commit).
 *    Collateral comes from the platform's store (uploaded once per FMSPC): "uncached" prepares
 *    (parses, chain- and signature-checks) it for every task, "cached" reuses it per thread.
 *    Rate = N / (worker start .. last task finished); three rounds, each followed by a round of the in-process reference, medians.
 * 2. In-process reference (no database): verifyQuote alone, cached and uncached, and dcap-qvl's
 *    verify() alone, per CPU-second; shows what the worker path adds around the verification.
 *    The figure to hold: end to end (cached) at least 80 % of verifyQuote cached in process.
 *
 * Workload: the two real TDX quotes with collateral in src/modules/attestations/verification/fixtures
 * (FMSPC B0C06F000000 and 90C06F000000; see PROVENANCE.md there), alternated, each verified inside
 * its collateral window.
 * PostgreSQL: TEST_DATABASE_URL or DATABASE_URL (a scratch database is created and dropped),
 * else an embedded PostgreSQL in a temp dir. BENCH_TASKS (default 300) tasks per phase.
 * Last line: tee_quotes_per_s=<through the worker, cached collateral>.
 *
 * Run: npm run bench:tee
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { verify as dcapQvlVerify } from '@phala/dcap-qvl';
import { systemClock } from '../src/platform/clock.ts';
import { createPlatformKeys } from '../src/platform/crypto/platform-keys.ts';
import { createSecretBox } from '../src/platform/crypto/secret-box.ts';
import { wrapPool } from '../src/platform/db/database.ts';
import { runMigrations } from '../src/platform/db/migrate.ts';
import { createPool } from '../src/platform/db/pool.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { startQueue } from '../src/platform/queue/queue.ts';
import { createFileStorage } from '../src/platform/storage/object-storage.ts';
import { CLI_ACTOR } from '../src/modules/audit/record-audit.ts';
import { createClient } from '../src/modules/clients/create-client.ts';
import { createStoredCollateralSource } from '../src/modules/attestations/create-collateral-source.ts';
import { createEvidenceVerifier } from '../src/modules/attestations/create-evidence-verifier.ts';
import { createTask } from '../src/modules/attestations/create-task.ts';
import { VerifyAttestationTaskJob } from '../src/modules/attestations/jobs.ts';
import type { TaskWorkerDeps } from '../src/modules/attestations/process-task-job.ts';
import { startTaskWorker } from '../src/modules/attestations/run-task-worker.ts';
import { createTaskFinisher } from '../src/modules/attestations/finish-task.ts';
import { storeCollateral } from '../src/modules/attestations/store-collateral.ts';
import { createTaskQueue } from '../src/modules/attestations/task-queue.ts';
import { TASKS_IN_FLIGHT_PER_THREAD } from '../src/modules/attestations/worker-kinds.ts';
import { createPreparedCollateralCache, DEFAULT_ACCEPTED_TCB_STATUSES, extractQuoteFmspc, verifyQuote } from '../src/modules/attestations/verification/index.ts';
import { OUTDATED_COLLATERAL_VERIFY_AT, readVector, readVectorJson, SAMPLE_VERIFY_AT } from '../src/modules/attestations/verification/test-vectors.ts';

const TASKS = Number(process.env.BENCH_TASKS ?? 300);
const CONCURRENCY = Number(process.env.TEE_WORKER_CONCURRENCY ?? 2);
const ROUNDS = 3;

type Sample = { quote: Buffer; fmspc: string; verifyAt: Date };
const collateralByFmspc: Record<string, Record<string, unknown>> = {
  b0c06f000000: readVectorJson('tdx_quote_collateral.json'),
  '90c06f000000': readVectorJson('tdx_quote_outdated_collateral.json'),
};
const samples: Sample[] = [
  { quote: readVector('tdx_quote'), fmspc: 'b0c06f000000', verifyAt: SAMPLE_VERIFY_AT },
  { quote: Buffer.from(readVectorJson<{ quote: string }>('dstack-quote-report.json').quote, 'hex'), fmspc: '90c06f000000', verifyAt: OUTDATED_COLLATERAL_VERIFY_AT },
];
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

// ---------------------------------------------------------------- 2. in-process reference
/** Measured a round at a time, each round beside a round of the worker phases: both see the same machine. */
function createInProcessReference() {
  const cache = createPreparedCollateralCache();
  const variants: Array<[string, (sample: Sample) => boolean]> = [
    ['dcap-qvl verify() alone', (s) => dcapQvlVerify(s.quote, collateralByFmspc[s.fmspc] as never, s.verifyAt.getTime() / 1000).status === 'UpToDate'],
    ['verifyQuote, collateral prepared every call', (s) => verifyQuote({ quote: s.quote, collateral: collateralByFmspc[s.fmspc] }, { verifyAt: s.verifyAt }).ok],
    [
      'verifyQuote, collateral cached per FMSPC',
      (s) => {
        const key = extractQuoteFmspc(s.quote);
        const prepared = key.ok ? cache.prepare(collateralByFmspc[key.value.fmspc]) : undefined;
        return prepared?.ok === true && verifyQuote({ quote: s.quote, collateral: prepared.value }, { verifyAt: s.verifyAt }).ok;
      },
    ],
  ];
  for (const [, run] of variants) for (let i = 0; i < 20; i++) run(samples[i % samples.length]!); // warm-up
  const rates = variants.map((): number[] => []);
  return {
    round() {
      variants.forEach(([name, run], i) => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        let done = 0;
        while (done < 500 && performance.now() - started < 1000) {
          if (!run(samples[done % samples.length]!)) throw new Error(`${name}: a benchmark quote failed to verify`);
          done++;
        }
        rates[i]!.push(done / cpuSeconds(cpu));
      });
    },
    report(): { dcapOnly: number; uncached: number; cached: number } {
      console.log(`\nin-process reference (no database; per CPU-second of this process, median of ${rates[0]!.length} rounds taken between the worker's):`);
      variants.forEach(([name], i) => console.log(`  ${name.padEnd(46)} ${median(rates[i]!).toFixed(1).padStart(8)} quotes/CPU-s  ${(1000 / median(rates[i]!)).toFixed(2)} ms/quote`));
      const [dcapOnly, uncached, cached] = rates.map(median) as [number, number, number];
      return { dcapOnly, uncached, cached };
    },
  };
}

// ---------------------------------------------------------------- 1. through the worker
// Dropping the scratch database ends pg-boss's idle connections: nothing to warn about.
const log = createLogger('error');
const database = await openBenchDatabase(log);
const databaseUrl = database.url;
const pool = createPool(databaseUrl, { max: CONCURRENCY * TASKS_IN_FLIGHT_PER_THREAD + 4, log });
const objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-bench-objects-'));
const queue = await startQueue({ connectionString: databaseUrl, log, schedule: false });
let lastLine = '';
// One verifier per variant for the whole run, as a busy worker keeps its threads (they end after
// 30 s idle): its threads start, load their code and warm up in the warm-up phase, not in a measured one.
const verifiers = { cached: createEvidenceVerifier({ size: CONCURRENCY, cacheCollateral: true }), uncached: createEvidenceVerifier({ size: CONCURRENCY, cacheCollateral: false }) };

try {
  await runMigrations(pool);
  await queue.register([VerifyAttestationTaskJob]);
  const db = wrapPool(pool);
  const secretBox = createSecretBox([randomBytes(32)]);
  const partner = await createClient({ db, clock: systemClock, secretBox }, { name: 'Bench Bank', scopes: ['tee_attestation'] }, CLI_ACTOR);
  for (const [fmspc, collateral] of Object.entries(collateralByFmspc)) {
    const stored = await storeCollateral({ pool, clock: systemClock }, { raw: collateral, fmspc, source: 'upload' });
    if (!stored.ok) throw new Error(`collateral for ${fmspc}: ${stored.message}`);
  }
  const taskQueue = createTaskQueue(async () => queue);
  const baseDeps: Omit<TaskWorkerDeps, 'verifier'> = {
    pool,
    db,
    clock: systemClock,
    log,
    storage: createFileStorage(objectsDir),
    platformKeys: createPlatformKeys({ db, secretBox }),
    queue,
    collateralSource: createStoredCollateralSource({ pool, clock: systemClock, log }),
    finisher: createTaskFinisher({ pool, queue }),
    acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  };

  async function phase(label: string, variant: keyof typeof verifiers): Promise<{ wall: number; cpu: number }> {
    const appId = `bench-${label}-${randomBytes(3).toString('hex')}`;
    for (let n = 0; n < TASKS; n++) {
      const sample = samples[n % samples.length]!;
      const created = await createTask({ pool, clock: systemClock, taskQueue }, partner.id, {
        appId,
        appName: 'bench',
        appConfigType: 'phala_cloud',
        evidence: { quote: sample.quote.toString('hex'), verifyAt: sample.verifyAt.toISOString() },
      });
      if (!created.ok) throw new Error(created.message);
    }
    const verifier = verifiers[variant];
    const cpu = process.cpuUsage();
    const started = performance.now();
    const worker = startTaskWorker({ ...baseDeps, verifier }, { concurrency: CONCURRENCY * TASKS_IN_FLIGHT_PER_THREAD, pollIntervalMs: 50 });
    let finished = 0;
    while (finished < TASKS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { rows } = await pool.query<{ done: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE status IN ('completed', 'failed'))::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed
           FROM attestation_tasks WHERE app_id = $1`,
        [appId],
      );
      if (rows[0]!.failed > 0) throw new Error(`${label}: ${rows[0]!.failed} tasks failed`);
      finished = rows[0]!.done;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuUsed = cpuSeconds(cpu);
    await worker.stop({ timeoutMs: 10_000 });
    return { wall: TASKS / seconds, cpu: TASKS / cpuUsed };
  }

  // JIT, pg-boss plans, platform key creation, and both verifiers' threads started at full size.
  await phase('warmup', 'uncached');
  await phase('warmup', 'cached');
  const reference = createInProcessReference();
  const uncached: Array<{ wall: number; cpu: number }> = [];
  const cached: Array<{ wall: number; cpu: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    uncached.push(await phase('uncached', 'uncached'));
    cached.push(await phase('cached', 'cached'));
    reference.round();
  }
  const uncachedWall = median(uncached.map((r) => r.wall));
  const cachedWall = median(cached.map((r) => r.wall));
  console.log(
    `TEE tasks through the worker: ${TASKS} tasks per phase, ${CONCURRENCY} verifier threads, ${availableParallelism()} cores, ` +
      `${database.embedded ? 'embedded PostgreSQL' : 'PostgreSQL server'}, results on the file system; median of ${ROUNDS} rounds`,
  );
  console.log(`  ${'variant'.padEnd(46)} tasks/s (wall)  tasks/CPU-s of this process (all threads)`);
  console.log(`  ${'stored collateral, prepared for every task'.padEnd(46)} ${uncachedWall.toFixed(1).padStart(14)}  ${median(uncached.map((r) => r.cpu)).toFixed(1).padStart(10)}`);
  console.log(`  ${'stored collateral, prepared once (cached)'.padEnd(46)} ${cachedWall.toFixed(1).padStart(14)}  ${median(cached.map((r) => r.cpu)).toFixed(1).padStart(10)}`);
  console.log(`  cached / uncached = ${(cachedWall / uncachedWall).toFixed(2)}x`);

  const referenceRates = reference.report();
  console.log(`  verification alone, cached / uncached = ${(referenceRates.cached / referenceRates.uncached).toFixed(2)}x; cached / dcap-qvl alone = ${(referenceRates.cached / referenceRates.dcapOnly).toFixed(2)}x`);
  console.log(`end to end (cached, tasks/s) / in process (verifyQuote cached, quotes/CPU-s) = ${(cachedWall / referenceRates.cached).toFixed(2)}`);
  lastLine = `tee_quotes_per_s=${cachedWall.toFixed(1)}`;
} finally {
  await Promise.all(Object.values(verifiers).map((verifier) => verifier.close()));
  await queue.stop({ graceful: false });
  await pool.end();
  await database.close();
  await rm(objectsDir, { recursive: true, force: true });
}
// After the clean-up, so nothing it logs comes after it.
console.log(lastLine);
