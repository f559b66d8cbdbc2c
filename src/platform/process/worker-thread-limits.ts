import type { ResourceLimits } from 'node:worker_threads';

/**
 * Verification threads allocate quickly and keep little: V8 would grow each thread's young
 * generation to its maximum (tens of MB per thread, never given back), although a small one
 * collects their short-lived garbage as well. Measured by the soak of bench:http: 8 MB a thread
 * against V8's default; 4 MB since the Groth16 arithmetic went native (120 s soaks at ~270-310
 * requests/s peaked at 515-527 MB with 8, 488-504 with 4).
 */
export const VERIFICATION_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };
