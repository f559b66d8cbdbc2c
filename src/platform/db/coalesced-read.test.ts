import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCoalescedRead } from './coalesced-read.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('keys asked for in one turn are read together, in order, split at maxBatch; a later turn reads its own', async () => {
  const reads: number[][] = [];
  const read = createCoalescedRead(async (keys: number[]) => (reads.push(keys), keys.map((key) => `row ${key}`)), { maxBatch: 3 });
  const first = [5, 1, 4, 2].map(read);
  assert.deepEqual(reads, [], 'nothing is read before the turn ends');
  assert.deepEqual(await Promise.all(first), ['row 5', 'row 1', 'row 4', 'row 2']);
  assert.deepEqual(reads, [[5, 1, 4], [2]]);
  assert.equal(await read(9), 'row 9');
  assert.deepEqual(reads, [[5, 1, 4], [2], [9]], 'a lone key is read in the next check phase');
});

test('a failed read, or one answering too few rows, fails every caller of its batch and none of the next', async () => {
  let answer: (keys: string[]) => string[] = () => {
    throw new Error('database gone');
  };
  const read = createCoalescedRead(async (keys: string[]) => answer(keys), { maxBatch: 10 });
  const failed = ['a', 'b'].map((key) => read(key).catch((error: Error) => error.message));
  assert.deepEqual(await Promise.all(failed), ['database gone', 'database gone']);
  answer = (keys) => keys.slice(1);
  const short = ['a', 'b'].map((key) => read(key).catch((error: Error) => error.message));
  assert.deepEqual(await Promise.all(short), ['coalesced read: 1 results for 2 items', 'coalesced read: 1 results for 2 items']);
  answer = (keys) => keys.map((key) => key.toUpperCase());
  await nextTurn();
  assert.equal(await read('c'), 'C');
});
