import { parseRetryAfter } from './parse-retry-after.ts';

export type RetryOptions = {
  /** Retries after the first attempt; 0 turns retrying off. Default 3. */
  retries?: number;
  /** First backoff step; each retry doubles it. Default 500 ms. */
  baseDelayMs?: number;
  /**
   * Longest wait between attempts. Default 30 s. A `Retry-After` asking for longer is not
   * waited for: the 429/503 response is returned as it is.
   */
  maxDelayMs?: number;
};

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** 429: rate limited, nothing was done; 503: the server could not take it now (a 5xx releases an Idempotency-Key). */
const RETRIED_STATUSES = new Set([429, 503]);

export function retryPolicy(options: number | RetryOptions | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...(typeof options === 'number' ? { retries: options } : options) };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`retries.${name} must be an integer >= 0`);
  }
  return policy;
}

/** Capped exponential backoff with jitter: half the step, plus up to the other half at random. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type FetchFunction = (input: Request, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` that retries 429 and 503 answers, waiting what `Retry-After` says (seconds or an HTTP
 * date) or else a backoff step, and retries network errors for the requests in
 * `safeAfterNetworkError` only (repeating them cannot do the work twice). The body of a request
 * is read once per attempt from a clone, so every attempt sends the same bytes.
 */
export function retryingFetch(fetch: FetchFunction, policy: RetryPolicy, safeAfterNetworkError: WeakSet<Request>): FetchFunction {
  return async (request, init) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= policy.retries;
      let response: Response;
      try {
        response = await fetch(last ? request : request.clone(), init);
      } catch (error) {
        if (last || request.signal.aborted || !safeAfterNetworkError.has(request)) throw error;
        await sleep(backoffDelay(attempt, policy), request.signal);
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return response;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after') ?? undefined, new Date());
      const wait = retryAfter === undefined ? backoffDelay(attempt, policy) : retryAfter * 1000;
      if (wait > policy.maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(wait, request.signal);
    }
  };
}
