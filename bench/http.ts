// HTTP load on POST /api/v1/verify: the real server against a naive baseline, same run, same proofs.
//
//   npm run bench:http                 full: concurrencies 1, 4, 16, 64; (a) 20 s per row, the others 10 s,
//                                      each row in 2 rounds per target, taken in turn with the other target
//   npm run bench:http -- --quick      smoke run: concurrencies 1 and 16, 3 s per row in one round
//   npm run bench:http -- --soak 600   mixed load at 16 clients on the real server for 600 s, with every partner's
//                                      webhooks delivered to a local receiver and TEE tasks at 5/s; RSS every 10 s,
//                                      and again after 60 s idle
//   --workloads valid,mixed --concurrencies 16   only those rows (with --quick or the full plan)
//   --cpu-prof DIR                     the real server runs with --cpu-prof: a .cpuprofile in DIR when it stops
//
// Both servers run in processes of their own, each with its own embedded PostgreSQL (a child, so its
// CPU and memory are counted with it); the load generator is a third process (undici, loopback).
// The proofs are real (snarkjs fullProve, real issuer key), made before the run and cached for the
// day; each is sent once per partner (see bench/http/workloads.ts). The last line is
// `http_speedup_vs_baseline=<x>`: throughput of (a) valid proofs at 16 clients, real / baseline.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBaseline } from './http/baseline-target.ts';
import { loadProofPool } from './http/proof-pool.ts';
import { LEGEND, okLine, summarize, tableHeader, tableRow, type Row } from './http/report.ts';
import { buildRequestFixtures } from './http/request-fixtures.ts';
import { LoadGenerator, type Measurement } from './http/runner.ts';
import { sampleTree } from './http/process-stats.ts';
import { startTaskFeeder } from './http/task-feeder.ts';
import { startWebhookSink } from './http/webhook-sink.ts';
import type { ServerProcess } from './http/server-process.ts';
import { seedVeridity, startVeridity } from './http/veridity-target.ts';
import { slotCount, WORKLOADS, type WorkloadName } from './http/workloads.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, soak: { type: 'string' }, workloads: { type: 'string' }, concurrencies: { type: 'string' }, 'cpu-prof': { type: 'string' } },
});
const soakSeconds = values.soak === undefined ? undefined : Number(values.soak);
if (soakSeconds !== undefined && !(soakSeconds > 0)) throw new Error('--soak takes a number of seconds');

/** `seconds` per row and target, measured in `rounds` runs alternating with the other target's. */
type Plan = { concurrencies: number[]; warmupS: number; seconds: (workload: WorkloadName) => number; rounds: number; proofs: number };
const PLANS: Record<'full' | 'quick', Plan> = {
  full: { concurrencies: [1, 4, 16, 64], warmupS: 2, seconds: (workload) => (workload === 'valid' ? 20 : 10), rounds: 2, proofs: 100 },
  quick: { concurrencies: [1, 16], warmupS: 1, seconds: () => 3, rounds: 1, proofs: 40 },
};
// Partners x proofs bounds the valid verifications one server can take (a nonce once per partner):
// partners are made for this rate over every second the real server is driven, warm-ups included.
// (a) at 64 clients reached 1,474/s on 2 cores (seventh 2026-12-02 session); 1,200 partners ran out.
const MAX_VERIFICATIONS_PER_S = 2_000;
const plan = PLANS[values.quick ? 'quick' : 'full'];
if (values.concurrencies) plan.concurrencies = values.concurrencies.split(',').map(Number);
const workloads = values.workloads ? WORKLOADS.filter((workload) => values.workloads!.split(',').includes(workload.name)) : WORKLOADS;
// A bound on any row; the soak's is its length at MAX_VERIFICATIONS_PER_S.
const MAX_REQUESTS_PER_RUN = 200_000;
const SOAK_CONCURRENCY = 16;
const SOAK_PRINT_EVERY_S = 10;
const SOAK_TASKS_PER_S = 5;
const SOAK_IDLE_S = 60;

const say = (line: string) => console.log(line);
say(`bench:http  ${availableParallelism()} cores, node ${process.version}, load average at start ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
say('  (a shared machine: other engineers may run things at the same time; compare rows of one run, not runs)');

const pool = await loadProofPool(soakSeconds ? PLANS.full.proofs : plan.proofs, say);
const drivenSeconds = soakSeconds ?? plan.concurrencies.length * workloads.reduce((sum, workload) => sum + plan.seconds(workload.name) + plan.rounds * plan.warmupS, 0);
const partners = Math.ceil((drivenSeconds * MAX_VERIFICATIONS_PER_S) / pool.proofs.length);
const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-bench-http-fixtures-'));
const servers: ServerProcess[] = [];
const loader = new LoadGenerator();
// The soak's webhook receiver listens on loopback: the server must be allowed to deliver there.
const sink = soakSeconds ? await startWebhookSink() : undefined;

try {
  say('starting the real server (embedded PostgreSQL, LOG_LEVEL=warn)...');
  const veridity = await startVeridity({
    ...(values['cpu-prof'] ? { cpuProfileDir: path.resolve(values['cpu-prof']) } : {}),
    ...(sink ? { env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } } : {}),
  });
  servers.push(veridity);
  const seedingStarted = performance.now();
  const apiKeys = await seedVeridity(veridity, pool.issuer, partners, sink ? { scopes: ['tee_attestation'], webhookUrl: sink.url } : {});
  say(`seeded it through the admin API: the bench issuer and ${partners} partners (rate limit 1,000,000/min) in ${((performance.now() - seedingStarted) / 1000).toFixed(0)} s`);
  // The soak watches the real server alone.
  const baseline = soakSeconds ? undefined : await startBaseline(apiKeys);
  if (baseline) {
    say('started the baseline (bench/baseline: Fastify + snarkjs.groth16.verify + pg, its own embedded PostgreSQL)');
    servers.push(baseline);
  }
  const targets = baseline ? [veridity, baseline] : [veridity];

  const fixtures = await buildRequestFixtures(pool, apiKeys);
  const fixturesFile = path.join(scratch, 'fixtures.json');
  await writeFile(fixturesFile, JSON.stringify(fixtures), { mode: 0o600 });
  // The real server refuses a nonce a partner already used; the baseline keeps no nonces, so it may cycle.
  const slots = new Map<ServerProcess, { next: number; end: number }>(targets.map((target) => [target, { next: 0, end: target === veridity ? slotCount(fixtures) : Number.MAX_SAFE_INTEGER }]));
  say(`${pool.proofs.length} proofs x ${partners} partners = ${slotCount(fixtures)} distinct verifications available to the real server\n`);

  const measure = async (target: ServerProcess, workload: WorkloadName, concurrency: number, seconds: number, onSample?: Parameters<LoadGenerator['run']>[2]) => {
    const slot = slots.get(target)!;
    const spec = { url: target.url, fixturesFile, workload, concurrency, warmupMs: plan.warmupS * 1000, durationMs: seconds * 1000, maxRequests: soakSeconds ? soakSeconds * MAX_VERIFICATIONS_PER_S : MAX_REQUESTS_PER_RUN, slotFrom: slot.next, slotEnd: slot.end };
    const measurement = await loader.run(spec, target, onSample);
    slot.next += measurement.result.slotsUsed;
    return measurement;
  };

  // Once per server before any row: JIT, verifier threads, PostgreSQL caches and pool all warm.
  for (const target of targets) await measure(target, 'mixed', 16, plan.warmupS * 2);

  if (!baseline) {
    // --soak: one long mixed run beside webhooks and TEE tasks, memory printed as it goes (a leak shows as steady growth).
    say(`soak: (c) mixed at ${SOAK_CONCURRENCY} clients on the real server for ${soakSeconds} s after a ${plan.warmupS} s warm-up; every partner has a webhook endpoint (a local receiver); TEE tasks at ${SOAK_TASKS_PER_S}/s`);
    const tasks = await startTaskFeeder(veridity.url, apiKeys, SOAK_TASKS_PER_S);
    let printedAt = 0;
    const soak = await measure(veridity, 'mixed', SOAK_CONCURRENCY, soakSeconds!, (sample, elapsedS) => {
      if (elapsedS - printedAt < SOAK_PRINT_EVERY_S) return;
      printedAt = elapsedS;
      const taskStatuses = Object.entries(tasks.statuses()).map(([status, count]) => `${status}:${count}`).join(' ');
      say(`  ${elapsedS.toFixed(0).padStart(5)} s  server rss ${sample.serverRssMb.toFixed(0)} MB  postgres pss ${sample.postgresPssMb.toFixed(0)} MB  webhooks received ${sink!.received()}  tasks ${taskStatuses}  load ${loadavg()[0]!.toFixed(2)}`);
    });
    await tasks.stop();
    say(`\n${tableHeader()}\n${tableRow('veridity', SOAK_CONCURRENCY, summarize([soak]))}`);
    for (let idleS = 15; idleS <= SOAK_IDLE_S; idleS += 15) {
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      say(`  idle ${idleS} s after the soak: server rss ${sampleTree(veridity.pid).serverRssMb.toFixed(0)} MB, webhooks received ${sink!.received()}`);
    }
  } else {
    const validAt16 = new Map<ServerProcess, Row>();
    for (const workload of workloads) {
      const seconds = plan.seconds(workload.name);
      say(`${workload.label}: ${seconds} s per row and target, in ${plan.rounds} round(s) taken in turn, each after a ${plan.warmupS} s warm-up`);
      say(tableHeader());
      for (const concurrency of plan.concurrencies) {
        const runs = new Map<ServerProcess, Measurement[]>(targets.map((target) => [target, []]));
        for (let round = 0; round < plan.rounds; round++) {
          for (const [target, done] of runs) done.push(await measure(target, workload.name, concurrency, seconds / plan.rounds));
        }
        for (const [target, done] of runs) {
          const row = summarize(done);
          say(tableRow(target.name, concurrency, row));
          if (workload.name === 'contended') say(okLine(row));
          if (workload.name === 'valid' && concurrency === 16) validAt16.set(target, row);
        }
      }
      say('');
    }
    for (const line of LEGEND) say(line);
    say(`load average at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    if (validAt16.size === 2) say(`http_speedup_vs_baseline=${(validAt16.get(veridity)!.perSecond / validAt16.get(baseline)!.perSecond).toFixed(2)}`);
  }
} finally {
  loader.close();
  for (const server of servers.reverse()) await server.stop();
  await sink?.close();
  await rm(scratch, { recursive: true, force: true });
}
