import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

const RETRY_AFTER_SECONDS = 1;

/**
 * Answers 503 OVERLOADED (Retry-After) once `maxInFlight` requests are being handled, so a
 * burst queues at the client instead of piling up in memory until everything times out.
 * `exempt` routes (liveness, metrics) always answer, so an orchestrator does not kill a busy process.
 */
export function registerLoadShedding(app: FastifyInstance, options: { maxInFlight: number; exempt: readonly string[] }): { inFlight(): number } {
  let inFlight = 0;
  const exempt = new Set(options.exempt);
  app.addHook('onRequest', async (request, reply) => {
    if (exempt.has(request.url.split('?')[0]!)) return;
    if (inFlight >= options.maxInFlight) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw new ApiError('OVERLOADED', 'the server is handling too many requests: retry shortly', { retry_after_seconds: RETRY_AFTER_SECONDS });
    }
    inFlight++;
    // 'close' fires once whether the response finished or the client went away.
    reply.raw.once('close', () => inFlight--);
  });
  return { inFlight: () => inFlight };
}
