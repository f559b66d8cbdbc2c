import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken } from '#platform/crypto/tokens.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';

const BEARER = /^Bearer\s+(vag_[A-Za-z0-9_-]{43})$/;

/**
 * The onRequest hook of agent routes (headers only, before any body): `Authorization: Bearer
 * vag_...`, looked up by its SHA-256 through evidence_agent_for_credential() at every request, so
 * a revoked agent, a disabled partner or one without the scope `evidence` is refused at once.
 * Nothing else authenticates here: an API key, an access token or an admin token is a 401.
 */
export function agentAuth(deps: { pool: Pool }) {
  return async function authenticateAgent(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const credential = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const fail = (message: string) => {
      reply.header('www-authenticate', 'Bearer realm="veridity-ingest"');
      return new ApiError('UNAUTHORIZED', message);
    };
    if (!credential) throw fail('missing agent credential (Authorization: Bearer vag_...)');
    const credentialHash = hashToken(credential);
    const { rows } = await deps.pool.query<{ agent_id: string; client_id: string; rate_limit_per_minute: number }>(
      'SELECT agent_id, client_id, rate_limit_per_minute FROM evidence_agent_for_credential($1)',
      [credentialHash],
    );
    const agent = rows[0];
    if (!agent) throw fail('invalid or revoked agent credential');
    request.agent = { id: agent.agent_id, clientId: agent.client_id, rateLimitPerMinute: agent.rate_limit_per_minute, credentialHash };
  };
}
