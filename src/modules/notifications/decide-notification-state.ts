import { nextAttempt } from '#modules/webhooks/delivery/retry-schedule.ts';
import type { SmtpSendResult } from './smtp-sender.ts';

export type NotificationState =
  | { status: 'sent' }
  | { status: 'pending'; nextAttemptAt: Date }
  /** EXHAUSTED: the round's last attempt failed; REFUSED: the server refused it for good (5xx). */
  | { status: 'dead'; reason: 'EXHAUSTED' | 'REFUSED' };

/**
 * Where an e-mail goes after one attempt: sent when the server accepted it; dead on a permanent
 * refusal (5xx to the recipient or message) or when the round's attempts are used up; otherwise
 * pending until the next slot of the webhooks' retry schedule (8 attempts: 1 m, 5 m, 15 m, 1 h,
 * 6 h, ... jittered). A 4xx, a timeout, a refused connection or an authentication failure is retried.
 */
export function decideNotificationState(input: { attemptInRound: number; result: Pick<SmtpSendResult, 'outcome' | 'error'>; now: Date; random?: () => number }): NotificationState {
  if (input.result.outcome === 'sent') return { status: 'sent' };
  if (input.result.error?.permanent) return { status: 'dead', reason: 'REFUSED' };
  const next = nextAttempt({ attemptsMade: input.attemptInRound, now: input.now, ...(input.random ? { random: input.random } : {}) });
  return next.retry ? { status: 'pending', nextAttemptAt: next.at } : { status: 'dead', reason: 'EXHAUSTED' };
}
