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

test('with gatherMs, a batch waits for announced items, and goes at once when none is outstanding', async () => {
  const writer = controlledWriter();
  const commit = createGroupCommit(writer.write, { maxBatch: 3, maxInFlight: 2, gatherMs: 50 });
  const lone = commit.submit(1);
  assert.deepEqual(writer.batches, [[1]], 'nothing announced: no waiting');

  const [second, third, fourth] = [commit.announce(), commit.announce(), commit.announce()];
  const results = [commit.submit(2)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  results.push(second.submit(3));
  assert.deepEqual(writer.batches, [[1]], 'the queued item waits for the announced ones');
  third.withdraw();
  third.withdraw();
  assert.deepEqual(writer.batches, [[1]], 'one is still announced');
  results.push(fourth.submit(4));
  assert.deepEqual(writer.batches, [[1], [2, 3, 4]], 'the last announced item arrived (and a full batch would go at once anyway)');
  fourth.withdraw();
  await writer.finishAll();

  const late = commit.announce();
  results.push(commit.submit(5));
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(writer.batches, [[1], [2, 3, 4], [5]], 'an announced item that does not come is waited for gatherMs at most');
  late.withdraw();
  await writer.finishAll();
  assert.equal(await lone, 'done 1');
  assert.deepEqual(await Promise.all(results), ['done 2', 'done 3', 'done 4', 'done 5']);
});
