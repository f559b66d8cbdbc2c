// A pool of worker threads verifying task evidence, so that one worker process verifies on every
// core while its main thread does the database and storage I/O of the tasks around it.
import { Worker } from 'node:worker_threads';
import { VERIFICATION_THREAD_LIMITS } from '#platform/process/worker-thread-limits.ts';
import type { FromThread, ThreadVerificationOptions, ToThread } from './evidence-verifier-protocol.ts';
import type { Evidence } from './schema.ts';
import type { TaskCollateralSource, TaskVerification } from './verify-task-evidence.ts';

export type EvidenceVerifier = {
  /** Never rejects for bad evidence; rejects when collateral could not be looked up, or the thread died. */
  verify(evidence: Evidence, options: ThreadVerificationOptions & { collateralSource: TaskCollateralSource }): Promise<TaskVerification>;
  /** Lets verifications in flight finish, then ends the threads. */
  close(): Promise<void>;
};

type Pending = { resolve(verification: TaskVerification): void; reject(error: Error): void; collateralSource: TaskCollateralSource };

type Thread = { worker: Worker; ready: boolean; pending: Map<number, Pending>; lastError: Error | undefined };

const THREAD_URL = new URL('./verify-evidence-thread.ts', import.meta.url);

/**
 * `size` threads; a verification goes to the thread with the fewest in flight. A thread that
 * dies fails its verifications (they are retried like any infrastructure failure) and is replaced.
 * `cacheCollateral`: each thread prepares a collateral once per content (off only to measure it).
 */
export function createEvidenceVerifier(options: { size: number; cacheCollateral?: boolean }): EvidenceVerifier {
  if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`verifier threads must be a positive integer, got ${options.size}`);
  const threads = new Set<Thread>();
  let nextRequestId = 0;
  const inFlight = new Set<Promise<TaskVerification>>();
  let closing = false;

  function spawn(): void {
    const worker = new Worker(THREAD_URL, { workerData: { cacheCollateral: options.cacheCollateral ?? true }, resourceLimits: VERIFICATION_THREAD_LIMITS });
    const thread: Thread = { worker, ready: false, pending: new Map(), lastError: undefined };
    threads.add(thread);
    worker.on('message', (message: FromThread) => onMessage(thread, message));
    worker.on('error', (error) => {
      thread.lastError = error; // the 'exit' that follows does the cleanup
    });
    worker.on('exit', (code) => {
      threads.delete(thread);
      const error = new Error(`evidence verifier thread exited (code ${code})`, { cause: thread.lastError });
      for (const pending of thread.pending.values()) pending.reject(error);
      // Replace a thread that died after starting; one that never started would die again.
      if (!closing && thread.ready) spawn();
    });
  }

  function onMessage(thread: Thread, message: FromThread): void {
    if (message.type === 'ready') return void (thread.ready = true);
    const pending = thread.pending.get(message.requestId);
    if (!pending) return;
    if (message.type === 'collateral') {
      void answerLookup(thread, message, pending.collateralSource);
      return;
    }
    thread.pending.delete(message.requestId);
    if (message.type === 'verified') pending.resolve(message.verification);
    else pending.reject(new Error(message.error));
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

  for (let i = 0; i < options.size; i++) spawn();

  return {
    verify(evidence, { collateralSource, ...threadOptions }) {
      if (closing) return Promise.reject(new Error('the evidence verifier is closed'));
      if (threads.size === 0) return Promise.reject(new Error('no evidence verifier thread is running'));
      const thread = [...threads].reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
      const requestId = nextRequestId++;
      const verification = new Promise<TaskVerification>((resolve, reject) => {
        thread.pending.set(requestId, { resolve, reject, collateralSource });
        thread.worker.postMessage({ type: 'verify', requestId, evidence, options: threadOptions } satisfies ToThread);
      });
      inFlight.add(verification);
      void verification.catch(() => {}).finally(() => inFlight.delete(verification));
      return verification;
    },
    async close() {
      closing = true;
      await Promise.allSettled([...inFlight]);
      await Promise.all([...threads].map((thread) => thread.worker.terminate()));
    },
  };
}
