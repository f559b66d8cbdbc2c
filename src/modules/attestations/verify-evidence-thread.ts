// Worker thread verifying task evidence (synchronous CPU work) off the main thread. Its
// prepared-collateral cache lives here, one per thread; the raw collateral is asked of the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromThread, ToThread } from './evidence-verifier-protocol.ts';
import { createPreparedCollateralCache, type CollateralKey } from './verification/index.ts';
import { verifyTaskEvidence, type TaskCollateralSource } from './verify-task-evidence.ts';

if (parentPort === null) throw new Error('verify-evidence-thread.ts must run in a worker thread');
const port = parentPort;
const collateralCache = (workerData as { cacheCollateral: boolean }).cacheCollateral ? createPreparedCollateralCache() : undefined;

const lookups = new Map<number, { resolve(answer: Extract<ToThread, { type: 'collateral' }>): void }>();
let nextLookupId = 0;

/** Collateral through the main thread; why it had none is kept for the task's error message. */
function collateralSourceFor(requestId: number): TaskCollateralSource {
  const misses = new Map<string, string>();
  const id = (key: CollateralKey) => `${key.tee}:${key.fmspc}:${key.pck_ca}`;
  return {
    async getCollateral(key) {
      const lookupId = nextLookupId++;
      const answer = await new Promise<Extract<ToThread, { type: 'collateral' }>>((resolve) => {
        lookups.set(lookupId, { resolve });
        port.postMessage({ type: 'collateral', requestId, lookupId, key } satisfies FromThread);
      });
      if (answer.error !== undefined) throw new Error(answer.error);
      if (answer.miss !== undefined) misses.set(id(key), answer.miss);
      return answer.collateral;
    },
    describeMiss: (key) => misses.get(id(key)) ?? 'no collateral found',
  };
}

async function verify(request: Extract<ToThread, { type: 'verify' }>): Promise<FromThread> {
  try {
    const verification = await verifyTaskEvidence(request.evidence, {
      ...request.options,
      collateralSource: collateralSourceFor(request.requestId),
      collateralCache,
    });
    return { type: 'verified', requestId: request.requestId, verification };
  } catch (error) {
    return { type: 'failed', requestId: request.requestId, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (message: ToThread) => {
  if (message.type === 'collateral') {
    lookups.get(message.lookupId)?.resolve(message);
    lookups.delete(message.lookupId);
    return;
  }
  void verify(message).then((response) => port.postMessage(response));
});
