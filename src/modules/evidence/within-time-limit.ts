/**
 * Verification is CPU work on the main thread (a 1 MiB document takes milliseconds, the
 * verifier bounds every structure it walks): the time limit is a backstop that frees the worker
 * for the next document. The verification it gave up on may still run to its end; its result is ignored.
 */
export async function withinTimeLimit<T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => (timer = setTimeout(() => resolve({ done: false }), ms)));
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
