// The bench's table: one row per workload x concurrency x target, merged from that row's runs.
import type { Measurement } from './runner.ts';

export type Row = {
  requests: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** 200 answers alone: rate and latency. */
  ok: { perSecond: number; p50: number; p99: number };
  errors: number;
  statuses: Record<string, number>;
  /** Of one core, averaged over the measurement: 200 % is both cores of this machine. */
  serverCpuPct: number;
  postgresCpuPct: number;
  generatorCpuPct: number;
  /** Of the whole machine (both cores), averaged over the runs. */
  machineIdlePct: number;
  serverRssMb: number;
  postgresPssMb: number;
  loadAverage: number;
  stoppedEarly: string[];
};

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

export function summarize(runs: Measurement[]): Row {
  const seconds = runs.reduce((sum, run) => sum + run.result.seconds, 0);
  const requests = runs.reduce((sum, run) => sum + run.result.requests, 0);
  const latencies = runs.flatMap((run) => run.result.latenciesMs).sort((a, b) => a - b);
  const okLatencies = runs.flatMap((run) => run.result.okLatenciesMs).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [status, count] of Object.entries(run.result.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  return {
    requests,
    perSecond: requests / seconds,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    ok: { perSecond: okLatencies.length / seconds, p50: percentile(okLatencies, 50), p99: percentile(okLatencies, 99) },
    errors: runs.reduce((sum, run) => sum + run.result.errors, 0),
    statuses,
    serverCpuPct: (runs.reduce((sum, run) => sum + run.serverCpuS, 0) / seconds) * 100,
    postgresCpuPct: (runs.reduce((sum, run) => sum + run.postgresCpuS, 0) / seconds) * 100,
    generatorCpuPct: (runs.reduce((sum, run) => sum + run.result.cpuS, 0) / seconds) * 100,
    machineIdlePct: (runs.reduce((sum, run) => sum + run.machineIdleShare * run.result.seconds, 0) / seconds) * 100,
    serverRssMb: Math.max(...runs.map((run) => run.serverRssMb)),
    postgresPssMb: Math.max(...runs.map((run) => run.postgresPssMb)),
    loadAverage: Math.max(...runs.map((run) => run.loadAverage)),
    stoppedEarly: runs.map((run) => run.result.stoppedBy).filter((reason) => reason !== 'time'),
  };
}

const COLUMNS: [string, number][] = [
  ['target', 9], ['conc', 5], ['req/s', 8], ['p50 ms', 8], ['p90 ms', 8], ['p99 ms', 8], ['max ms', 8], ['requests', 9],
  ['errors', 7], ['srv cpu%', 9], ['pg cpu%', 8], ['gen cpu%', 9], ['idle%', 6], ['srv rss', 8], ['pg pss', 7], ['load1', 6], ['statuses', 0],
];

const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[i]![1]) : cell.padStart(COLUMNS[i]![1]))).join(' ');

export const tableHeader = () => line(COLUMNS.map(([name]) => name));

export function tableRow(target: string, concurrency: number, row: Row): string {
  const statuses = Object.entries(row.statuses).map(([status, count]) => `${status}:${count}`).join(' ');
  const stopped = row.stoppedEarly.length > 0 ? ` (stopped by ${[...new Set(row.stoppedEarly)].join(', ')})` : '';
  return line([
    target, String(concurrency), row.perSecond.toFixed(1), row.latencyMs.p50.toFixed(1), row.latencyMs.p90.toFixed(1), row.latencyMs.p99.toFixed(1),
    row.latencyMs.max.toFixed(1), String(row.requests), String(row.errors), row.serverCpuPct.toFixed(0), row.postgresCpuPct.toFixed(0),
    row.generatorCpuPct.toFixed(0), row.machineIdlePct.toFixed(0),
    row.serverRssMb.toFixed(0), row.postgresPssMb.toFixed(0), row.loadAverage.toFixed(2), statuses + stopped,
  ]);
}

/** Workload (e): how the valid traffic beside the flood fared. */
export const okLine = (row: Row) => `           valid answers (200) alone: ${row.ok.perSecond.toFixed(1)}/s, p50 ${row.ok.p50.toFixed(1)} ms, p99 ${row.ok.p99.toFixed(1)} ms`;

export const LEGEND = [
  'req/s, latency: measured after a warm-up, closed-loop clients (conc) on keep-alive connections; latency = send to last body byte.',
  '  A row is made of runs of the two targets taken in turn (rounds), so both see the same background load.',
  '(e): its valid answers come from half the clients: compare them with (a) at half the concurrency (the flood must not starve them).',
  'errors: transport failures plus answers with another status than the request expects (200 valid, 422 invalid, 403 bad scope, 400 malformed).',
  'srv cpu%: the server process (all its threads: HTTP, verifier workers, embedded job workers); pg cpu%: its embedded PostgreSQL',
  '  (postmaster and backends, children of the server process), each of one core (this machine has 2: 200 % is all of it).',
  "gen cpu%: the load generator process (of one core); idle%: the whole machine's idle time during the measurement (of both",
  '  cores: near 0 means saturated, and then any CPU taken from the server, PostgreSQL or the load generator lowers req/s).',
  'srv rss: peak RSS of the server process (MB); pg pss: peak PSS summed over the PostgreSQL processes (MB; shared buffers once).',
  "load1: highest 1-minute load average seen at the end of the row's runs. It counts the bench's own threads (server, verifier",
  '  workers, PostgreSQL backends, load generator: several at high concurrency); other work on the machine adds to it.',
];
