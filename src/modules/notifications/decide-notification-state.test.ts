import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WEBHOOK_MAX_ATTEMPTS } from '#modules/webhooks/delivery/retry-schedule.ts';
import { decideNotificationState } from './decide-notification-state.ts';

const now = new Date('2026-01-01T00:00:00Z');
const failed = (permanent: boolean) => ({ outcome: 'failed' as const, error: { code: 'EENVELOPE', message: 'refused', permanent } });

test('accepted: sent; a permanent refusal: dead at once (REFUSED)', () => {
  assert.deepEqual(decideNotificationState({ attemptInRound: 1, result: { outcome: 'sent' }, now }), { status: 'sent' });
  assert.deepEqual(decideNotificationState({ attemptInRound: 1, result: failed(true), now }), { status: 'dead', reason: 'REFUSED' });
});

test('a temporary failure waits for the next slot of the schedule (1 minute after the first), and the last one is dead (EXHAUSTED)', () => {
  assert.deepEqual(decideNotificationState({ attemptInRound: 1, result: failed(false), now, random: () => 0.5 }), { status: 'pending', nextAttemptAt: new Date(now.getTime() + 60_000) });
  assert.deepEqual(decideNotificationState({ attemptInRound: WEBHOOK_MAX_ATTEMPTS, result: failed(false), now }), { status: 'dead', reason: 'EXHAUSTED' });
});
