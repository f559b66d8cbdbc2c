import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit } from './group-commit.ts';

/** A writer whose batches finish when the test says so: which items went together is then observable. */
function controlledWriter(failOn: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      finish.push(() => (items.some(failOn) ? reject(new Error(`cannot write ${items.join(',')}`)) : resolve(items.map((item) => `done ${item}`))));
    });
  const finishAll = async () => {
    while (finish.length > 0) {
      finish.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, write, finishAll };
}

test('a lone item is written at once; items arriving meanwhile share the next batch', async () => {
  const writer = controlledWriter();
  const commit = createGroupCommit(writer.write, { maxBatch: 10, maxInFlight: 1 });
  const first = commit.submit(1);
  const later = [2, 3, 4].map((item) => commit.submit(item));
  assert.deepEqual(writer.batches, [[1]]);
  await writer.finishAll();
  assert.deepEqual(writer.batches, [[1], [2, 3, 4]]);
  assert.equal(await first, 'done 1');
  assert.deepEqual(await Promise.all(later), ['done 2', 'done 3', 'done 4']);
});

test('batches are capped at maxBatch and maxInFlight run at once', async () => {
  const writer = controlledWriter();
  const commit = createGroupCommit(writer.write, { maxBatch: 2, maxInFlight: 2 });
  const results = [1, 2, 3, 4, 5, 6, 7].map((item) => commit.submit(item));
  assert.deepEqual(writer.batches, [[1], [2]]);
  await writer.finishAll();
  assert.deepEqual(writer.batches, [[1], [2], [3, 4], [5, 6], [7]]);
  assert.equal((await Promise.all(results)).length, 7);
});

test('a failed batch is written again item by item: only the item that cannot be written fails', async () => {
  const writer = controlledWriter((item) => item === 3);
  const commit = createGroupCommit(writer.write, { maxBatch: 10, maxInFlight: 1 });
  const first = commit.submit(1);
  const outcomes = [2, 3, 4].map((item) => commit.submit(item).then((result) => result, (error: Error) => error.message));
  await writer.finishAll();
  assert.equal(await first, 'done 1');
  assert.deepEqual(await Promise.all(outcomes), ['done 2', 'cannot write 3', 'done 4']);
  assert.deepEqual(writer.batches, [[1], [2, 3, 4], [2], [3], [4]]);
});

test('with gatherMs, items arriving one by one while nothing is in flight still share a batch', async () => {
  const writer = controlledWriter();
  const commit = createGroupCommit(writer.write, { maxBatch: 3, maxInFlight: 2, gatherMs: 50 });
  const results = [commit.submit(1)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  results.push(commit.submit(2));
  assert.deepEqual(writer.batches, [], 'the first item waits for company');
  results.push(commit.submit(3), commit.submit(4));
  assert.deepEqual(writer.batches, [[1, 2, 3]], 'a full batch goes at once');
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(writer.batches, [[1, 2, 3], [4]], 'the rest goes when its first item has waited gatherMs');
  await writer.finishAll();
  assert.deepEqual(await Promise.all(results), ['done 1', 'done 2', 'done 3', 'done 4']);
});
