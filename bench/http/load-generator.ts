// The load generator: a process of its own (forked by bench/http.ts), closed-loop clients on an
// undici pool over loopback. Each run has a warm-up, then a measurement bounded by time and by
// request count (and by the slots left). Latency is from sending the request to its whole body.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { planRequest, type RequestFixtures, type WorkloadName } from './workloads.ts';

export type RunSpec = {
  url: string;
  fixturesFile: string;
  workload: WorkloadName;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
  /** Slots [slotFrom, slotEnd) are this run's to take; what it took comes back in `slotsUsed`. */
  slotFrom: number;
  slotEnd: number;
};

export type RunResult = {
  requests: number;
  seconds: number;
  /** Every measured request's latency: rows made of several runs merge them before taking percentiles. */
  latenciesMs: number[];
  /** The latencies of 200 answers alone (workload (e) reports its valid traffic by them). */
  okLatenciesMs: number[];
  statuses: Record<string, number>;
  /** Transport failures and answers whose status is not the one the request expects. */
  errors: number;
  slotsUsed: number;
  /** CPU seconds the load generator itself spent measuring: it shares the machine with the target. */
  cpuS: number;
  stoppedBy: 'time' | 'count' | 'slots';
};

export type LoaderMessage = { type: 'measuring' } | { type: 'result'; result: RunResult };

const fixturesByFile = new Map<string, RequestFixtures>();
const fixturesOf = (file: string) => fixturesByFile.get(file) ?? fixturesByFile.set(file, JSON.parse(readFileSync(file, 'utf8'))).get(file)!;

async function run(spec: RunSpec): Promise<RunResult> {
  const fixtures = fixturesOf(spec.fixturesFile);
  const pool = new Pool(spec.url, { connections: spec.concurrency, pipelining: 1 });
  let nextSlot = spec.slotFrom;
  let sequence = 0;
  let outOfSlots = false;

  // One request: false once no slot is left for it.
  const send = async (client: number, record: ((ms: number, status: number | 'error', expected: number) => void) | undefined) => {
    const planned = planRequest(fixtures, spec.workload, nextSlot, sequence++, client);
    if (planned.takesSlot) {
      if (nextSlot >= spec.slotEnd) return !(outOfSlots = true);
      nextSlot++;
    }
    const started = performance.now();
    let status: number | 'error';
    try {
      const response = await pool.request({
        path: '/api/v1/verify',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': planned.apiKey },
        body: planned.freshNonce ? planned.body.replace(/"nonce":"[^"]*"/, `"nonce":"0x${randomBytes(16).toString('hex')}"`) : planned.body,
      });
      await response.body.dump({ limit: Infinity });
      status = response.statusCode;
    } catch {
      status = 'error';
    }
    record?.(performance.now() - started, status, planned.expectedStatus);
    return true;
  };

  const phase = async (ms: number, maxRequests: number, record?: Parameters<typeof send>[1]) => {
    const end = performance.now() + ms;
    let issued = 0;
    const client = async (index: number) => {
      while (performance.now() < end && issued < maxRequests && !outOfSlots) {
        issued++;
        if (!(await send(index, record))) return;
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, (_, index) => client(index)));
    return issued;
  };

  await phase(spec.warmupMs, Number.POSITIVE_INFINITY);
  process.send!({ type: 'measuring' } satisfies LoaderMessage);

  const latenciesMs: number[] = [];
  const okLatenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let requests = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await phase(spec.durationMs, spec.maxRequests, (ms, status, expected) => {
    requests++;
    latenciesMs.push(ms);
    if (status === 200) okLatenciesMs.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== expected) errors++;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  return {
    requests,
    seconds,
    latenciesMs,
    okLatenciesMs,
    statuses,
    errors,
    slotsUsed: nextSlot - spec.slotFrom,
    cpuS: (cpu.user + cpu.system) / 1e6,
    stoppedBy: outOfSlots ? 'slots' : requests >= spec.maxRequests ? 'count' : 'time',
  };
}

process.on('message', (message: { type: 'run'; spec: RunSpec } | { type: 'exit' }) => {
  if (message.type === 'exit') return process.disconnect();
  run(message.spec).then(
    (result) => process.send!({ type: 'result', result } satisfies LoaderMessage),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
