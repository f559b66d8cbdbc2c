/**
 * When to try a failed webhook again (architecture contract): 8 attempts in all, waiting
 * 1 m, 5 m, 15 m, 1 h, 6 h, 6 h, 6 h between them (about 19 h 21 m in total), each wait
 * jittered by +/-10% so endpoints recovering from an outage are not hit in lock-step.
 * A receiver's Retry-After wins when it asks for longer, up to 24 h.
 */

export const WEBHOOK_MAX_ATTEMPTS = 8;
export const RETRY_AFTER_CAP_SECONDS = 24 * 60 * 60;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Wait after failed attempt n is RETRY_DELAYS_MS[n - 1]; the last value repeats. */
const RETRY_DELAYS_MS = [MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS, 6 * HOUR_MS];
const JITTER = 0.1;

export type NextAttemptInput = {
  /** Attempts made so far, all failed (1 after the first failure). */
  attemptsMade: number;
  now: Date;
  /** From the last response (429/503), if any. */
  retryAfterSeconds?: number;
  /** Uniform in [0, 1); defaults to Math.random. */
  random?: () => number;
};

export type NextAttempt = { retry: true; at: Date } | { retry: false; reason: 'exhausted' };

export function nextAttempt(input: NextAttemptInput): NextAttempt {
  const { attemptsMade, now } = input;
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be an integer >= 1, got ${attemptsMade}`);
  }
  if (attemptsMade >= WEBHOOK_MAX_ATTEMPTS) return { retry: false, reason: 'exhausted' };

  const draw = (input.random ?? Math.random)();
  if (!(draw >= 0 && draw < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${draw}`);
  const baseMs = RETRY_DELAYS_MS[Math.min(attemptsMade, RETRY_DELAYS_MS.length) - 1]!;
  const jitteredMs = Math.round(baseMs * (1 + JITTER * (2 * draw - 1)));

  const retryAfter = input.retryAfterSeconds;
  const requestedMs = retryAfter !== undefined && Number.isFinite(retryAfter) && retryAfter > 0
    ? Math.min(retryAfter, RETRY_AFTER_CAP_SECONDS) * 1000
    : 0;
  return { retry: true, at: new Date(now.getTime() + Math.max(jitteredMs, requestedMs)) };
}
