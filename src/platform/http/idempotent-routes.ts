import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from './errors.ts';
import { asList } from './as-list.ts';
import { claimIdempotencyKey, requestHash, type IdempotencyClaim } from './idempotency.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `Idempotency-Key` honoured: a retry within 10 minutes gets the first response, byte for byte. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyClaim?: IdempotencyClaim & { kind: 'new' };
  }
}

/** Printable ASCII without spaces, as Stripe and the IETF draft (draft-ietf-httpapi-idempotency-key-header) use it. */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable ASCII characters without spaces')
  .describe('Retry safely: the same key with the same request within 10 minutes answers the first response again (with `Idempotent-Replayed: true`)');

const REPLAYED = 'idempotent-replayed';
/** Headers that belong to the response's meaning and are replayed with it. */
const REPLAYED_HEADERS = ['content-type', 'location'] as const;

function payloadBytes(payload: unknown): Buffer | undefined {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (Buffer.isBuffer(payload)) return payload;
  return undefined; // a stream: not stored, the key is released
}

export type IdempotencyDeps = {
  pool: Pool;
  clock: Clock;
  secretBox: SecretBox;
  /** Whose keys these are: the authenticated partner or operator (keys of different owners never meet). */
  ownerOf(request: FastifyRequest): string | undefined;
};

/**
 * Idempotency for routes that declare `config: { idempotent: true }` (routes that create
 * something): the key is claimed once the request is authenticated and valid, the response is
 * stored as it is sent (status, content type, location, exact bytes), and a replay sends those
 * bytes again. A 5xx releases the key so the retry does the work.
 */
export function registerIdempotentRoutes(app: FastifyInstance, deps: IdempotencyDeps): void {
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    const schema = route.schema ?? {};
    const headers = (schema.headers as z.ZodObject | undefined) ?? z.object({}).loose();
    route.schema = { ...schema, headers: headers.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }) };
    route.preHandler = [claimKey, ...asList(route.preHandler)] as typeof route.preHandler;
    route.onSend = [...asList(route.onSend), storeResponse] as typeof route.onSend;
  });

  async function claimKey(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = request.headers['idempotency-key'];
    const owner = deps.ownerOf(request);
    if (typeof key !== 'string' || !owner) return;
    const hash = requestHash({ method: request.method, route: request.routeOptions.url ?? request.url, body: request.body });
    const claim = await claimIdempotencyKey(deps, owner, key, hash, deps.clock.now());
    if (claim.kind === 'reused') throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    if (claim.kind === 'in_progress') throw new ApiError('IDEMPOTENCY_CONFLICT', 'a request with this Idempotency-Key is still being processed');
    if (claim.kind === 'replay') {
      const { status, headers, bytes } = claim.response;
      return reply.code(status).headers(headers).header(REPLAYED, 'true').send(bytes);
    }
    request.idempotencyClaim = claim;
  }

  async function storeResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    const bytes = payloadBytes(payload);
    if (reply.statusCode >= 500 || !bytes) {
      await claim.release();
      return payload;
    }
    try {
      const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (reply.hasHeader(name) ? [[name, String(reply.getHeader(name))]] : [])));
      await claim.complete({ status: reply.statusCode, headers, bytes });
    } catch (error) {
      // The response still goes out; without a stored copy a retry does the work again (as without a key).
      request.log.warn({ err: error }, 'could not store the idempotent response: key released');
      await claim.release().catch(() => {});
    }
    return payload;
  }
}
