// Worker thread owning one mcl instance and the prepared keys registered with the pool.
import { parentPort } from 'node:worker_threads';
import { initMcl } from './mcl-bn254.ts';
import { needsMcl, prepareVerificationKey, type PreparedVerificationKey } from './prepare-verification-key.ts';
import { groth16Failure } from './types.ts';
import { verifyBatch } from './verify-batch.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

if (parentPort === null) throw new Error('verifier-worker.ts must run in a worker thread');
const port = parentPort;

const keys = new Map<string, PreparedVerificationKey>();

function handle(request: WorkerRequest): WorkerResponse {
  const { requestId } = request;
  switch (request.type) {
    case 'register': {
      const prepared = prepareVerificationKey(request.key);
      if (!prepared.ok) return { type: 'registered', requestId, result: prepared };
      keys.get(request.keyId)?.dispose();
      keys.set(request.keyId, prepared.value);
      return { type: 'registered', requestId, result: { ok: true } };
    }
    case 'verify': {
      const key = keys.get(request.keyId);
      const results = key
        ? verifyBatch(key, request.statements, (indexes, settled) => port.postMessage({ type: 'settled', requestId, indexes, results: settled } satisfies WorkerResponse))
        : request.statements.map(() => groth16Failure('UNKNOWN_KEY', `no key registered as ${request.keyId}`));
      return { type: 'verified', requestId, results };
    }
  }
}

// Listen before mcl is ready so no message is missed; every handler waits on the same
// promise, so requests are still handled in arrival order. With the native addon, mcl's wasm
// instance is never made.
const ready = needsMcl() ? initMcl() : Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  void ready.then(() => {
    let response: WorkerResponse;
    try {
      response = handle(request);
    } catch (error) {
      response = { type: 'failed', requestId: request.requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(response);
  });
});
await ready;
port.postMessage({ type: 'ready' } satisfies WorkerResponse);
