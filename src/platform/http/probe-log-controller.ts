import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const PROBES = new Set(['/healthz', '/health', '/readyz', '/metrics']);

const isProbe = (request: FastifyRequest) => PROBES.has(request.url.split('?')[0]!);

/**
 * Fastify's request log lines, except that liveness, readiness and metrics polls (every few
 * seconds, from orchestrators and scrapers) are logged at debug instead of info.
 */
export class ProbeLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request) && !error) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply);
  }
}
