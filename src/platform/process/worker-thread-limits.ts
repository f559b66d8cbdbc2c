import type { ResourceLimits } from 'node:worker_threads';

/**
 * Verification threads allocate quickly and keep little: V8 would grow each thread's young
 * generation to its maximum (tens of MB per thread, never given back), although a small one
 * collects their short-lived garbage as well. Measured by the soak of bench:http.
 */
export const VERIFICATION_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
