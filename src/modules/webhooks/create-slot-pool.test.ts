import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlotPool } from './create-slot-pool.ts';

test('slots are taken in bulk, never beyond the size, and waiters are served in order once enough are free', async () => {
  const pool = createSlotPool(16);
  assert.equal(await pool.take(4, 16), 16);
  const order: string[] = [];
  const second = pool.take(4, 16).then((n) => (order.push('second'), n));
  const third = pool.take(4, 16).then((n) => (order.push('third'), n));
  pool.give(3); // fewer than 4: nobody wakes
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, []);
  pool.give(2);
  assert.equal(await second, 5);
  pool.give(16 - 5);
  assert.equal(await third, 11);
  assert.deepEqual(order, ['second', 'third']);
  assert.equal(await createSlotPool(2).take(4, 8), 2); // a pool smaller than `least` still serves
});
