import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextAttempt, RETRY_AFTER_CAP_SECONDS, WEBHOOK_MAX_ATTEMPTS } from './retry-schedule.ts';

const now = new Date('2026-03-01T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// The architecture contract: 1m, 5m, 15m, 1h, 6h, then 6h; dead after 8 failures.
const CONTRACT_WAITS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, 6 * HOUR, 6 * HOUR];

function waitMs(attemptsMade: number, random: number, retryAfterSeconds?: number): number {
  const next = nextAttempt({
    attemptsMade,
    now,
    random: () => random,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
  assert.equal(next.retry, true, `attempt ${attemptsMade} should be retried`);
  return next.retry ? next.at.getTime() - now.getTime() : Number.NaN;
}

test('follows the contract schedule when jitter is centred', () => {
  assert.equal(WEBHOOK_MAX_ATTEMPTS, 8);
  assert.deepEqual(
    CONTRACT_WAITS.map((_, index) => waitMs(index + 1, 0.5)),
    CONTRACT_WAITS,
  );
});

test('is dead after the eighth failed attempt', () => {
  for (const attemptsMade of [8, 9, 50]) {
    assert.deepEqual(nextAttempt({ attemptsMade, now, random: () => 0.5 }), { retry: false, reason: 'exhausted' });
    assert.deepEqual(nextAttempt({ attemptsMade, now, retryAfterSeconds: 60 }), { retry: false, reason: 'exhausted' });
  }
});

test('jitter stays within +/-10% and spans the range', () => {
  CONTRACT_WAITS.forEach((base, index) => {
    assert.equal(waitMs(index + 1, 0), Math.round(base * 0.9));
    assert.equal(waitMs(index + 1, 0.25), Math.round(base * 0.95));
    const top = waitMs(index + 1, 1 - Number.EPSILON);
    assert.ok(top > base * 1.0999 && top <= base * 1.1, `attempt ${index + 1}: ${top}`);
  });
  const samples = Array.from({ length: 2000 }, () => nextAttempt({ attemptsMade: 4, now }));
  const waits = samples.map((next) => (next.retry ? next.at.getTime() - now.getTime() : Number.NaN));
  assert.ok(waits.every((wait) => wait >= 0.9 * HOUR && wait <= 1.1 * HOUR));
  assert.ok(new Set(waits).size > 1000, 'Math.random is the default source');
});

test('a longer Retry-After wins, a shorter one does not, and it is capped at 24 h', () => {
  assert.equal(waitMs(1, 0.5, 600), 600_000);
  assert.equal(waitMs(1, 0.5, 30), MINUTE);
  assert.equal(waitMs(5, 0.5, 3600), 6 * HOUR);
  assert.equal(waitMs(2, 0.5, 10 ** 9), RETRY_AFTER_CAP_SECONDS * 1000);
  for (const ignored of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.equal(waitMs(1, 0.5, ignored), MINUTE, String(ignored));
  }
});

test('rejects nonsensical inputs as programmer errors', () => {
  for (const attemptsMade of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => nextAttempt({ attemptsMade, now }), RangeError, String(attemptsMade));
  }
  for (const value of [1, -0.1, Number.NaN]) {
    assert.throws(() => nextAttempt({ attemptsMade: 1, now, random: () => value }), RangeError, String(value));
  }
});
