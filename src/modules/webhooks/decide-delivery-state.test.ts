import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideDeliveryState } from './decide-delivery-state.ts';
import { laneLayout } from './run-webhook-worker.ts';

const now = new Date('2026-05-01T00:00:00Z');
const failed = { outcome: 'failed' as const, gone: false };
const at = (ms: number) => new Date(now.getTime() + ms);

test('2xx delivers; 410 is dead at once; other failures wait for the schedule until the 8th', () => {
  assert.deepEqual(decideDeliveryState({ attemptInRound: 1, result: { outcome: 'delivered', gone: false }, now }), { status: 'delivered' });
  assert.deepEqual(decideDeliveryState({ attemptInRound: 1, result: { outcome: 'failed', gone: true }, now }), { status: 'dead', reason: 'GONE' });
  const waits = [1, 2, 3, 4, 5, 6, 7].map((attempt) => {
    const state = decideDeliveryState({ attemptInRound: attempt, result: failed, now, random: () => 0.5 });
    assert.equal(state.status, 'pending');
    return state.status === 'pending' ? (state.nextAttemptAt.getTime() - now.getTime()) / 60_000 : -1;
  });
  assert.deepEqual(waits, [1, 5, 15, 60, 360, 360, 360]);
  assert.deepEqual(decideDeliveryState({ attemptInRound: 8, result: failed, now }), { status: 'dead', reason: 'EXHAUSTED' });
  assert.deepEqual(decideDeliveryState({ attemptInRound: 8, result: { outcome: 'refused', gone: false }, now }), { status: 'dead', reason: 'EXHAUSTED' });
});

test('Retry-After wins only when longer; jitter stays within ±10%', () => {
  assert.deepEqual(decideDeliveryState({ attemptInRound: 1, result: { ...failed, retryAfterSeconds: 600 }, now, random: () => 0.5 }), { status: 'pending', nextAttemptAt: at(600_000) });
  assert.deepEqual(decideDeliveryState({ attemptInRound: 2, result: { ...failed, retryAfterSeconds: 10 }, now, random: () => 0.5 }), { status: 'pending', nextAttemptAt: at(300_000) });
  assert.deepEqual(decideDeliveryState({ attemptInRound: 1, result: failed, now, random: () => 0 }), { status: 'pending', nextAttemptAt: at(54_000) });
  assert.deepEqual(decideDeliveryState({ attemptInRound: 1, result: failed, now, random: () => 0.999999 }), { status: 'pending', nextAttemptAt: at(66_000) });
});

test('at most 4 lanes share the slots: each waits for half of them free and claims up to `concurrency` rows', () => {
  assert.deepEqual(laneLayout(1), { lanes: 1, least: 1, batchSize: 1 });
  assert.deepEqual(laneLayout(3), { lanes: 3, least: 2, batchSize: 3 });
  assert.deepEqual(laneLayout(16), { lanes: 4, least: 8, batchSize: 16 });
  assert.deepEqual(laneLayout(17), { lanes: 4, least: 9, batchSize: 17 });
  assert.throws(() => laneLayout(0), RangeError);
});
