import type { WebhookDeliveryResult } from './delivery/deliver-webhook.ts';
import { nextAttempt } from './delivery/retry-schedule.ts';

export type DeliveryState =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date }
  /** EXHAUSTED: the 8th failed attempt of a round; GONE: the receiver answered 410. */
  | { status: 'dead'; reason: 'EXHAUSTED' | 'GONE' };

/**
 * Where a delivery goes after one attempt: delivered on a 2xx; dead on 410 Gone (the endpoint
 * is disabled too) or when the round's attempts are used up; otherwise pending until the next
 * slot of the retry schedule (1 m, 5 m, 15 m, 1 h, 6 h, ... jittered; a longer Retry-After wins).
 */
export function decideDeliveryState(input: {
  /** This attempt's number within the current round, 1-based. */
  attemptInRound: number;
  result: Pick<WebhookDeliveryResult, 'outcome' | 'gone' | 'retryAfterSeconds'>;
  now: Date;
  random?: () => number;
}): DeliveryState {
  if (input.result.outcome === 'delivered') return { status: 'delivered' };
  if (input.result.gone) return { status: 'dead', reason: 'GONE' };
  const next = nextAttempt({
    attemptsMade: input.attemptInRound,
    now: input.now,
    ...(input.result.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: input.result.retryAfterSeconds }),
    ...(input.random ? { random: input.random } : {}),
  });
  return next.retry ? { status: 'pending', nextAttemptAt: next.at } : { status: 'dead', reason: 'EXHAUSTED' };
}
