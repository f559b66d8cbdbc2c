import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withinTimeLimit } from './within-time-limit.ts';

test('work that settles in time gives its value; work that never settles gives up at the limit; a failure stays a failure', async () => {
  assert.deepEqual(await withinTimeLimit(Promise.resolve('verified'), 60_000), { done: true, value: 'verified' });
  assert.deepEqual(await withinTimeLimit(new Promise(() => {}), 10), { done: false });
  await assert.rejects(withinTimeLimit(Promise.reject(new Error('bug')), 60_000), /bug/);
});
