// A pool of worker threads verifying task evidence, so that one worker process verifies on every
// core while its main thread does the database and storage I/O of the tasks around it.
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '#platform/process/typescript-worker.ts';
import { VERIFICATION_THREAD_LIMITS } from '#platform/process/worker-thread-limits.ts';
import type { FromThread, ThreadVerificationOptions, ToThread } from './evidence-verifier-protocol.ts';
import type { Evidence } from './schema.ts';
import type { TaskCollateralSource, TaskVerification } from './verify-task-evidence.ts';

export type EvidenceVerifier = {
  /** Never rejects for bad evidence; rejects when collateral could not be looked up, or the thread died. */
  verify(evidence: Evidence, options: ThreadVerificationOptions & { collateralSource: TaskCollateralSource }): Promise<TaskVerification>;
  /** Threads running now (they start on demand and end when idle). */
  threads(): number;
  /** Threads started since the verifier was made. */
  threadsStarted(): number;
  /** Lets verifications in flight finish, then ends the threads. */
  close(): Promise<void>;
};

type Pending = { resolve(verification: TaskVerification): void; reject(error: Error): void; collateralSource: TaskCollateralSource };

type Thread = { worker: Worker; pending: Map<number, Pending>; lastError: Error | undefined; idleTimer: NodeJS.Timeout | undefined };

const THREAD_URL = new URL('./verify-evidence-thread.ts', import.meta.url);

/** A thread with nothing to verify for this long ends, giving its memory back (about 40 MB). */
export const DEFAULT_THREAD_IDLE_MS = 30_000;

/**
 * Up to `size` threads, started on demand: a verification goes to the thread with the fewest in
 * flight, and a new thread starts while every running one has work queued. A thread idle for `idleMs`
 * ends (its prepared collateral with it), so a process that sees few tasks keeps one thread or
 * none. A thread that dies fails its verifications (they are retried like any infrastructure
 * failure); the next verification starts another.
 * `cacheCollateral`: each thread prepares a collateral once per content (off only to measure it).
 */
export function createEvidenceVerifier(options: { size: number; cacheCollateral?: boolean; idleMs?: number }): EvidenceVerifier {
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`verifier threads must be a positive integer, got ${options.size}`);
  const idleMs = options.idleMs ?? DEFAULT_THREAD_IDLE_MS;
  const threads = new Set<Thread>();
  let threadsStarted = 0;
  let nextRequestId = 0;
  const inFlight = new Set<Promise<TaskVerification>>();
  let closing = false;

  function spawn(): Thread {
    const worker = startTypeScriptWorker(THREAD_URL, { workerData: { cacheCollateral: options.cacheCollateral ?? true }, resourceLimits: VERIFICATION_THREAD_LIMITS });
    const thread: Thread = { worker, pending: new Map(), lastError: undefined, idleTimer: undefined };
    threads.add(thread);
    threadsStarted += 1;
    worker.on('message', (message: FromThread) => onMessage(thread, message));
    worker.on('error', (error) => {
      thread.lastError = error; // the 'exit' that follows does the cleanup
    });
    worker.on('exit', (code) => {
      threads.delete(thread);
      clearTimeout(thread.idleTimer);
      const error = new Error(`evidence verifier thread exited (code ${code})`, { cause: thread.lastError });
      for (const pending of thread.pending.values()) pending.reject(error);
    });
    return thread;
  }

  /**
   * The least busy thread, or a new one (while there is room) once every thread already has a
   * verification waiting behind the one it runs: a trickle of tasks keeps one thread.
   */
  function pick(): Thread {
    const least = [...threads].reduce<Thread | undefined>((best, candidate) => (best === undefined || candidate.pending.size < best.pending.size ? candidate : best), undefined);
    if (least !== undefined && (least.pending.size < 2 || threads.size >= options.size)) return least;
    return spawn();
  }

  function onSettled(thread: Thread): void {
    if (thread.pending.size > 0 || closing) return;
    clearTimeout(thread.idleTimer);
    thread.idleTimer = setTimeout(() => {
      threads.delete(thread); // no new work for it while it ends
      void thread.worker.terminate();
    }, idleMs).unref();
  }

  function onMessage(thread: Thread, message: FromThread): void {
    const pending = thread.pending.get(message.requestId);
    if (!pending) return;
    if (message.type === 'collateral') {
      void answerLookup(thread, message, pending.collateralSource);
      return;
    }
    thread.pending.delete(message.requestId);
    if (message.type === 'verified') pending.resolve(message.verification);
    else pending.reject(new Error(message.error));
    onSettled(thread);
  }

  async function answerLookup(thread: Thread, request: Extract<FromThread, { type: 'collateral' }>, source: TaskCollateralSource): Promise<void> {
    let answer: ToThread;
    try {
      const collateral = await source.getCollateral(request.key);
      answer = { type: 'collateral', lookupId: request.lookupId, collateral, miss: collateral === undefined ? source.describeMiss(request.key) : undefined, error: undefined };
    } catch (error) {
      answer = { type: 'collateral', lookupId: request.lookupId, collateral: undefined, miss: undefined, error: error instanceof Error ? error.message : String(error) };
    }
    thread.worker.postMessage(answer);
  }

  return {
    verify(evidence, { collateralSource, ...threadOptions }) {
      if (closing) return Promise.reject(new Error('the evidence verifier is closed'));
      const thread = pick();
      clearTimeout(thread.idleTimer);
      const requestId = nextRequestId++;
      const verification = new Promise<TaskVerification>((resolve, reject) => {
        thread.pending.set(requestId, { resolve, reject, collateralSource });
        thread.worker.postMessage({ type: 'verify', requestId, evidence, options: threadOptions } satisfies ToThread);
      });
      inFlight.add(verification);
      void verification.catch(() => {}).finally(() => inFlight.delete(verification));
      return verification;
    },
    threads: () => threads.size,
    threadsStarted: () => threadsStarted,
    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
      for (const thread of threads) clearTimeout(thread.idleTimer);
      await Promise.all([...threads].map((thread) => thread.worker.terminate()));
    },
  };
}
