// A pool of worker threads verifying Groth16 proofs off the event loop. Inputs are parsed
// here (cheap, bounded) so malformed ones never reach a worker; verify() calls under the same
// key that arrive within maxBatchDelayMs (or until maxBatchSize) are verified as one batch,
// shared out among the idle workers.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '#platform/process/typescript-worker.ts';
import { VERIFICATION_THREAD_LIMITS } from '#platform/process/worker-thread-limits.ts';
import { parseStatement } from './parse-statement.ts';
import { parseVerificationKey } from './parse-verification-key.ts';
import {
  groth16Failure,
  type Groth16Result,
  type ParsedStatement,
  type ParsedVerificationKey,
  type VerifyResult,
} from './types.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

export type Groth16VerifierPoolOptions = {
  /**
   * Most worker threads (default: the number of available cores). One always runs; more start
   * while every running one is busy or a batch could be shared, and end after idleMs without work.
   */
  readonly size?: number;
  /** How long an extra worker waits for work before it ends (default 30 s). */
  readonly idleMs?: number;
  /** Largest batch sent to one worker (default 32). */
  readonly maxBatchSize?: number;
  /** How long the first call of a batch waits for company (default 2 ms). */
  readonly maxBatchDelayMs?: number;
};

export type Groth16VerifierPool = {
  /** Parses and prepares a snarkjs verification key in every worker; replaces a key of the same id. */
  registerKey(keyId: string, verificationKey: unknown): Promise<Groth16Result<{ nPublic: number }>>;
  /**
   * Malformed input resolves to a code; a well-formed proof to `{ ok: true, valid }`. `alone`: checked
   * in a batch of its own, for a caller likely to send invalid proofs (one in a shared batch makes
   * the batch fail and be bisected: its neighbours pay for it).
   */
  verify(keyId: string, proof: unknown, publicSignals: unknown, options?: { alone?: boolean }): Promise<VerifyResult>;
  /** Counters since creation, e.g. for metrics: how well calls are being batched. */
  stats(): Groth16VerifierPoolStats;
  /** Finishes queued work, then terminates the workers. Later calls reject. */
  close(): Promise<void>;
};

export type Groth16VerifierPoolStats = {
  readonly workers: number;
  /** Workers started since the pool was made (the first one included; extras end when idle). */
  readonly workersStarted: number;
  readonly batches: number;
  /** Statements sent to workers (malformed input rejected before batching is not counted). */
  readonly statements: number;
  readonly largestBatch: number;
};

type Deferred<T> = { resolve(value: T): void; reject(error: Error): void };

type QueuedVerification = Deferred<VerifyResult> & { readonly statement: ParsedStatement };

type KeyQueue = { keyId: string; batchSize: number; items: QueuedVerification[]; due: boolean; timer: NodeJS.Timeout | undefined };

type RegisterOutcome = Extract<WorkerResponse, { type: 'registered' }>['result'];

type InFlight =
  | { readonly kind: 'register'; readonly deferred: Deferred<RegisterOutcome> }
  | { readonly kind: 'verify'; readonly batch: readonly QueuedVerification[] };

type WorkerSlot = {
  readonly worker: Worker;
  ready: boolean;
  /** Whether a verify batch is in flight: at most one per worker, so batches grow while all are busy. */
  busy: boolean;
  readonly inFlight: Map<number, InFlight>;
  lastError: Error | undefined;
  idleTimer: NodeJS.Timeout | undefined;
};

const WORKER_URL = new URL('./verifier-worker.ts', import.meta.url);
// Smaller shares are not worth a worker: each pays its own final exponentiation and multi-scalar multiplications.
const MIN_SHARE = 4;

export function createGroth16VerifierPool(options: Groth16VerifierPoolOptions = {}): Groth16VerifierPool {
  const size = options.size ?? availableParallelism();
  const maxBatchSize = options.maxBatchSize ?? 32;
  const maxBatchDelayMs = options.maxBatchDelayMs ?? 2;
  const idleMs = options.idleMs ?? 30_000;
  if (!Number.isInteger(size) || size < 1) throw new Error(`pool size must be a positive integer, got ${size}`);
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new Error('maxBatchSize must be a positive integer');

  /** Keys as registered, to check signal counts here and to re-register in replacement workers. */
  const keys = new Map<string, ParsedVerificationKey>();
  const queues = new Map<string, KeyQueue>();
  const slots = new Set<WorkerSlot>();
  let nextRequestId = 0;
  const counters = { workersStarted: 0, batches: 0, statements: 0, largestBatch: 0 };
  let closed: Promise<void> | undefined;
  let onIdle: (() => void) | undefined;

  function post(slot: WorkerSlot, request: WorkerRequest, inFlight: InFlight): void {
    clearTimeout(slot.idleTimer);
    slot.inFlight.set(request.requestId, inFlight);
    slot.worker.postMessage(request);
  }

  function registerIn(slot: WorkerSlot, keyId: string, key: ParsedVerificationKey): Promise<RegisterOutcome> {
    return new Promise((resolve, reject) => {
      post(slot, { type: 'register', requestId: nextRequestId++, keyId, key }, { kind: 'register', deferred: { resolve, reject } });
    });
  }

  function spawn(): WorkerSlot {
    const worker = startTypeScriptWorker(WORKER_URL, { resourceLimits: VERIFICATION_THREAD_LIMITS });
    const slot: WorkerSlot = { worker, ready: false, busy: false, inFlight: new Map(), lastError: undefined, idleTimer: undefined };
    slots.add(slot);
    counters.workersStarted += 1;
    worker.on('message', (response: WorkerResponse) => onResponse(slot, response));
    worker.on('error', (error) => {
      slot.lastError = error; // the 'exit' that follows does the cleanup
    });
    worker.on('exit', (exitCode) => onExit(slot, exitCode));
    // A replacement learns every registered key before any batch: the port keeps the order.
    for (const [keyId, key] of keys) void registerIn(slot, keyId, key).catch(() => {});
    return slot;
  }

  /** An extra worker left without work ends after idleMs: its heap and WebAssembly memory go with it. */
  function retireWhenIdle(slot: WorkerSlot): void {
    if (slot.inFlight.size > 0 || closed) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.inFlight.size > 0 || slots.size <= 1 || closed) return;
      slots.delete(slot); // no new batch for it while it ends
      void slot.worker.terminate();
    }, idleMs).unref();
  }

  function onResponse(slot: WorkerSlot, response: WorkerResponse): void {
    if (response.type === 'ready') {
      slot.ready = true;
      return;
    }
    const inFlight = slot.inFlight.get(response.requestId);
    if (!inFlight) throw new Error(`verifier worker answered unknown request ${response.requestId}`);
    if (response.type === 'settled') {
      // Answered now; the batch's 'verified' repeats these results (settling a promise twice is a no-op).
      if (inFlight.kind === 'verify') response.indexes.forEach((index, i) => inFlight.batch[index]?.resolve(response.results[i] as VerifyResult));
      return;
    }
    slot.inFlight.delete(response.requestId);
    if (inFlight.kind === 'register') {
      if (response.type === 'registered') inFlight.deferred.resolve(response.result);
      else inFlight.deferred.reject(new Error(`verifier worker failed: ${response.type === 'failed' ? response.error : response.type}`));
    } else {
      slot.busy = false;
      if (response.type === 'verified' && response.results.length === inFlight.batch.length) {
        inFlight.batch.forEach((item, i) => item.resolve(response.results[i] as VerifyResult));
      } else {
        const reason = response.type === 'failed' ? response.error : `unexpected ${response.type} response`;
        for (const item of inFlight.batch) item.reject(new Error(`verifier worker failed: ${reason}`));
      }
    }
    retireWhenIdle(slot);
    pump();
  }

  function onExit(slot: WorkerSlot, exitCode: number): void {
    slots.delete(slot);
    clearTimeout(slot.idleTimer);
    const error = new Error(`verifier worker exited (code ${exitCode})`, { cause: slot.lastError });
    for (const inFlight of slot.inFlight.values()) {
      if (inFlight.kind === 'register') inFlight.deferred.reject(error);
      else for (const item of inFlight.batch) item.reject(error);
    }
    // Keep one worker: replace the last one if it died after starting (one that never started would die again).
    if (!closed && slot.ready && slots.size === 0) spawn();
    if (slots.size === 0) {
      for (const queue of queues.values()) for (const item of queue.items.splice(0)) item.reject(error);
    }
    pump();
  }

  function takeDueBatch(): { keyId: string; batch: QueuedVerification[] } | undefined {
    for (const [queueKey, queue] of queues) {
      if (!queue.due && queue.items.length < queue.batchSize) continue;
      const batch = queue.items.splice(0, queue.batchSize);
      // Leftovers have waited too; they go with the next free worker, after the other queues' turn.
      queue.due = queue.items.length > 0;
      queues.delete(queueKey);
      if (queue.due) queues.set(queueKey, queue);
      else clearTimeout(queue.timer);
      return { keyId: queue.keyId, batch };
    }
    return undefined;
  }

  const hasDueBatch = () => [...queues.values()].some((queue) => queue.due || queue.items.length >= queue.batchSize);

  /** A free worker, or a new one while every worker is busy, there is room, and a batch waits. */
  function freeSlot(): WorkerSlot | undefined {
    for (const slot of slots) if (!slot.busy) return slot;
    return slots.size < size && hasDueBatch() ? spawn() : undefined;
  }

  /**
   * A due batch goes to `slot` and is shared with the other idle workers (shares of at least
   * MIN_SHARE): its callers wait for its largest share. Concurrent requests tend to arrive
   * together and leave together, so one worker checking all of them while another idles was
   * the largest wait of a request under load.
   */
  function dispatch(slot: WorkerSlot, keyId: string, batch: QueuedVerification[]): void {
    const idle = [...slots].filter((other) => other !== slot && other.ready && !other.busy);
    const shares = Math.max(1, Math.min(1 + idle.length, Math.floor(batch.length / MIN_SHARE)));
    // A batch worth sharing with a worker not started yet: start it for the batches to come.
    if (shares === 1 && batch.length >= 2 * MIN_SHARE && slots.size < size) spawn();
    const targets = [slot, ...idle.slice(0, shares - 1)];
    targets.forEach((target, index) => {
      const share = batch.slice(Math.floor((index * batch.length) / shares), Math.floor(((index + 1) * batch.length) / shares));
      send(target, keyId, share);
    });
  }

  function send(slot: WorkerSlot, keyId: string, batch: QueuedVerification[]): void {
    slot.busy = true;
    counters.batches += 1;
    counters.statements += batch.length;
    counters.largestBatch = Math.max(counters.largestBatch, batch.length);
    const statements = batch.map((item) => item.statement);
    post(slot, { type: 'verify', requestId: nextRequestId++, keyId, statements }, { kind: 'verify', batch });
  }

  function pump(): void {
    for (let slot = freeSlot(); slot !== undefined; slot = freeSlot()) {
      const next = takeDueBatch();
      if (!next) break;
      dispatch(slot, next.keyId, next.batch);
    }
    if (onIdle && queues.size === 0 && [...slots].every((slot) => slot.inFlight.size === 0)) onIdle();
  }

  function enqueue(keyId: string, statement: ParsedStatement, alone: boolean): Promise<VerifyResult> {
    return new Promise((resolve, reject) => {
      const queueKey = alone ? `${keyId}\0alone` : keyId;
      let queue = queues.get(queueKey);
      if (!queue) {
        queue = { keyId, batchSize: alone ? 1 : maxBatchSize, items: [], due: false, timer: undefined };
        queues.set(queueKey, queue);
      }
      queue.items.push({ statement, resolve, reject });
      if (queue.items.length >= queue.batchSize) {
        pump();
      } else if (queue.timer === undefined && !queue.due) {
        const waiting = queue;
        waiting.timer = setTimeout(() => {
          waiting.timer = undefined;
          waiting.due = true;
          pump();
        }, maxBatchDelayMs);
      }
    });
  }

  function assertUsable(): void {
    if (closed) throw new Error('the Groth16 verifier pool is closed');
    if (slots.size === 0) throw new Error('no Groth16 verifier worker could be started');
  }

  async function drainAndTerminate(): Promise<void> {
    for (const queue of queues.values()) {
      clearTimeout(queue.timer);
      queue.due = true;
    }
    await new Promise<void>((resolve) => {
      onIdle = resolve;
      pump();
    });
    for (const slot of slots) clearTimeout(slot.idleTimer);
    await Promise.all([...slots].map((slot) => slot.worker.terminate()));
  }

  spawn();

  return {
    async registerKey(keyId, verificationKey) {
      assertUsable();
      const parsed = parseVerificationKey(verificationKey);
      if (!parsed.ok) return parsed;
      // Known before the workers answer so that a worker replaced meanwhile learns it too.
      const previous = keys.get(keyId);
      keys.set(keyId, parsed.value);
      const results = await Promise.all([...slots].map((slot) => registerIn(slot, keyId, parsed.value)));
      const failure = results.find((result) => !result.ok);
      if (failure) {
        if (previous) keys.set(keyId, previous);
        else keys.delete(keyId);
        return failure;
      }
      return { ok: true, value: { nPublic: parsed.value.nPublic } };
    },

    async verify(keyId, proof, publicSignals, options) {
      assertUsable();
      const key = keys.get(keyId);
      if (!key) return groth16Failure('UNKNOWN_KEY', `no verification key registered as ${keyId}`);
      const statement = parseStatement(proof, publicSignals, key.nPublic);
      return statement.ok ? enqueue(keyId, statement.value, options?.alone ?? false) : statement;
    },

    stats() {
      return { workers: slots.size, ...counters };
    },

    close() {
      closed ??= drainAndTerminate();
      return closed;
    },
  };
}
