import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ACCEPTED_TCB_STATUSES, evaluateTcbPolicy } from './evaluate-tcb-policy.ts';
import { TCB_STATUSES } from './types.ts';

test('by default only UpToDate and SWHardeningNeeded are accepted', () => {
  assert.deepEqual([...DEFAULT_ACCEPTED_TCB_STATUSES], ['UpToDate', 'SWHardeningNeeded']);
  const accepted = TCB_STATUSES.filter((status) => evaluateTcbPolicy(status).ok);
  assert.deepEqual(accepted, ['UpToDate', 'SWHardeningNeeded']);
});

test('a rejection says which status, what is accepted and the advisories', () => {
  const result = evaluateTcbPolicy('OutOfDate', undefined, ['INTEL-SA-01036', 'INTEL-SA-01099']);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.code, 'TCB_STATUS_REJECTED');
  assert.equal(
    result.message,
    'TCB status OutOfDate is not accepted (accepted: UpToDate, SWHardeningNeeded) (advisories: INTEL-SA-01036, INTEL-SA-01099)',
  );
});

test('a relying party can widen or narrow the policy', () => {
  assert.equal(evaluateTcbPolicy('ConfigurationAndSWHardeningNeeded', ['UpToDate', 'ConfigurationAndSWHardeningNeeded']).ok, true);
  assert.equal(evaluateTcbPolicy('SWHardeningNeeded', ['UpToDate']).ok, false);
  assert.equal(evaluateTcbPolicy('UpToDate', []).ok, false);
});

test('Revoked or unknown statuses in the accepted list are a configuration bug', () => {
  assert.throws(() => evaluateTcbPolicy('Revoked', ['Revoked']), TypeError);
  assert.throws(() => evaluateTcbPolicy('UpToDate', ['UpToDate', 'Fine' as never]), TypeError);
});
