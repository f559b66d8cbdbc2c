import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollateralKey } from './verification/index.ts';
import { collateralLookedUpOnce, type TaskCollateralSource } from './verify-task-evidence.ts';

const platform = (fmspc: string): CollateralKey => ({ tee: 'tdx', fmspc, pck_ca: 'platform' });

test('collateralLookedUpOnce asks the source once per platform, and again after a failed lookup', async () => {
  const asked: string[] = [];
  let failNext = true;
  const source: TaskCollateralSource = {
    async getCollateral(key) {
      asked.push(key.fmspc);
      if (key.fmspc === 'flaky' && failNext) {
        failNext = false;
        throw new Error('database gone');
      }
      return { fmspc: key.fmspc };
    },
    describeMiss: (key) => `nothing for ${key.fmspc}`,
  };
  const batch = collateralLookedUpOnce(source);
  const answers = await Promise.all([batch.getCollateral(platform('a')), batch.getCollateral(platform('a')), batch.getCollateral(platform('b'))]);
  assert.deepEqual(answers, [{ fmspc: 'a' }, { fmspc: 'a' }, { fmspc: 'b' }]);
  assert.deepEqual(asked, ['a', 'b']);

  await assert.rejects(Promise.resolve(batch.getCollateral(platform('flaky'))), /database gone/);
  assert.deepEqual(await batch.getCollateral(platform('flaky')), { fmspc: 'flaky' });
  assert.deepEqual(asked, ['a', 'b', 'flaky', 'flaky']);
  assert.equal(batch.describeMiss(platform('c')), 'nothing for c');
});
