import type { FastifyRequest } from 'fastify';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { ApiError } from '#platform/http/errors.ts';
import { authenticateApiKey, type AuthenticatedClient } from './authenticate-api-key.ts';
import type { LastUsedTracker } from './last-used-tracker.ts';

declare module 'fastify' {
  interface FastifyRequest {
    client?: AuthenticatedClient;
  }
}

const FAILURE_MESSAGES = {
  MISSING_KEY: 'missing X-Api-Key header',
  UNKNOWN_KEY: 'invalid API key',
  DISABLED: 'API key is disabled',
} as const;

/** A preHandler that authenticates a partner by `X-Api-Key` and attaches `request.client`. */
export function partnerAuth(deps: { db: Db; clock: Clock; lastUsed: LastUsedTracker }) {
  return async function authenticatePartner(request: FastifyRequest): Promise<void> {
    const header = request.headers['x-api-key'];
    const result = await authenticateApiKey(deps, Array.isArray(header) ? header[0] : header);
    if (!result.ok) throw new ApiError('UNAUTHORIZED', FAILURE_MESSAGES[result.code]);
    deps.lastUsed.touch(result.client.id, deps.clock.now(), result.client.lastUsed);
    request.client = result.client;
  };
}

/** The reusable scope check: a key must carry the scope of what it asks for. */
export function requireScope(request: FastifyRequest, scope: string): AuthenticatedClient {
  const client = request.client;
  if (!client) throw new ApiError('UNAUTHORIZED', FAILURE_MESSAGES.MISSING_KEY);
  if (!client.scopes.includes(scope)) {
    throw new ApiError('UNAUTHORIZED_SCOPE', `API key lacks the scope '${scope}'`, { required_scope: scope });
  }
  return client;
}
