import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createEvidenceVerifier } from './create-evidence-verifier.ts';
import { DEFAULT_ACCEPTED_TCB_STATUSES, DEFAULT_VERIFICATION_FLAGS } from './verification/index.ts';
import { readVector, readVectorText, SAMPLE_VERIFY_AT } from './verification/test-vectors.ts';
import type { TaskCollateralSource } from './verify-task-evidence.ts';

const verifier = createEvidenceVerifier({ size: 2 });
after(() => verifier.close());

const evidence = { quote: readVector('tdx_quote').toString('hex') };
const options = (collateralSource: TaskCollateralSource) => ({
  verifyAt: SAMPLE_VERIFY_AT,
  flags: DEFAULT_VERIFICATION_FLAGS,
  acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  osImages: {},
  collateralSource,
});

test('verifies in a worker thread with collateral looked up on the main thread (as JSON text)', async () => {
  const looked: string[] = [];
  const source: TaskCollateralSource = {
    getCollateral: (key) => (looked.push(key.fmspc), readVectorText('tdx_quote_collateral.json')),
    describeMiss: () => 'unused',
  };
  const verifications = await Promise.all([1, 2, 3].map(() => verifier.verify(evidence, options(source))));
  for (const verification of verifications) assert.equal(verification.details.quote_verified, true, verification.reason ?? '');
  assert.deepEqual(looked, ['b0c06f000000', 'b0c06f000000', 'b0c06f000000']);
});

test("a miss carries the source's description; a failed lookup rejects (an infrastructure failure, retried)", async () => {
  const missing = await verifier.verify(evidence, options({ getCollateral: () => undefined, describeMiss: (key) => `nothing stored for ${key.fmspc}` }));
  assert.equal(missing.details.quote_verified, false);
  assert.match(missing.reason ?? '', /nothing stored for b0c06f000000/);
  const down: TaskCollateralSource = {
    getCollateral: async () => {
      throw new Error('database unavailable');
    },
    describeMiss: () => 'unused',
  };
  await assert.rejects(verifier.verify(evidence, options(down)), /database unavailable/);
});

test('threads start on demand, up to size, and end when idle; the next verification starts one again', async () => {
  const elastic = createEvidenceVerifier({ size: 2, idleMs: 100 });
  try {
    assert.equal(elastic.threads(), 0, 'nothing runs before the first task');
    const source: TaskCollateralSource = { getCollateral: () => readVectorText('tdx_quote_collateral.json'), describeMiss: () => 'unused' };
    const verifications = await Promise.all([1, 2, 3, 4].map(() => elastic.verify(evidence, options(source))));
    for (const verification of verifications) assert.equal(verification.details.quote_verified, true, verification.reason ?? '');
    // Counted, not sampled: on a loaded machine a thread may end after its idle 100 ms before the check.
    assert.equal(elastic.threadsStarted(), 2, 'threads with work queued make room for another, up to size');
    while (elastic.threads() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await elastic.verify(evidence, options(source));
    assert.equal(again.details.quote_verified, true, again.reason ?? '');
    assert.equal(elastic.threadsStarted(), 3, 'the next verification started a thread again');
  } finally {
    await elastic.close();
  }
});
