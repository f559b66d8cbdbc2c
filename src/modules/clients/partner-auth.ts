import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { verifyAccessToken } from '#modules/oauth/verify-access-token.ts';
import type { Clock } from '#platform/clock.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { ApiError } from '#platform/http/errors.ts';
import { authenticateApiKey, authenticateApiKeyById, findClientForAuth, type AuthenticatedClient, type ClientAuthDeps, type ClientAuthView, type KeyAuthView } from './authenticate-api-key.ts';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from './create-client.ts';
import type { LastUsedTracker } from './last-used-tracker.ts';

declare module 'fastify' {
  interface FastifyRequest {
    client?: AuthenticatedClient;
  }
}

const FAILURE_MESSAGES = {
  MISSING_KEY: 'missing X-Api-Key header',
  UNKNOWN_KEY: 'invalid API key',
  CLIENT_DISABLED: 'API key is disabled',
  KEY_DISABLED: 'API key is disabled',
  EXPIRED: 'API key has expired (it was replaced by a rotation)',
} as const;

const BEARER = /^Bearer\s+(\S+)$/i;

/** The rate limit of a client's plan at this moment (served from memory), or undefined without a plan. */
export type PlanRateLimit = (clientId: string) => Promise<number | undefined>;

/**
 * An onRequest hook (headers only, before any body is read) that authenticates a partner by `X-Api-Key`, or by an OAuth2 access token
 * (`Authorization: Bearer`, from POST /oauth/token) when no key is sent, and attaches `request.client`. Its rate limit: the client's own, else its
 * plan's (`planRateLimit`), else the default.
 */
export function partnerAuth(deps: ClientAuthDeps & { clock: Clock; lastUsed: LastUsedTracker; platformKeys: PlatformKeys; planRateLimit?: PlanRateLimit | undefined }) {
  return async function authenticatePartner(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers['x-api-key'];
    const bearer = header === undefined ? BEARER.exec(request.headers.authorization ?? '') : null;
    let client: ClientAuthView;
    let key: KeyAuthView | undefined;
    if (bearer) {
      const result = await verifyAccessToken(deps, bearer[1]!);
      if (!result.ok) {
        reply.header('www-authenticate', 'Bearer realm="veridity", error="invalid_token"');
        throw new ApiError('UNAUTHORIZED', result.message);
      }
      client = result.client;
    } else {
      const result = await authenticateApiKey(deps, Array.isArray(header) ? header[0] : header);
      if (!result.ok) throw new ApiError('UNAUTHORIZED', FAILURE_MESSAGES[result.code]);
      client = result.client;
      key = result.key;
    }
    deps.lastUsed.touch(client, key, deps.clock.now());
    request.client = await withRateLimit(deps.planRateLimit, client);
  };
}

/** The client's own rate limit, else its plan's, else the default. */
async function withRateLimit(planRateLimit: PlanRateLimit | undefined, client: ClientAuthView): Promise<AuthenticatedClient> {
  return { ...client, rateLimitPerMinute: client.rateLimitOverride ?? (await planRateLimit?.(client.id)) ?? DEFAULT_RATE_LIMIT_PER_MINUTE };
}

/**
 * A partner by id as partner auth would attach it (scopes, effective rate limit), for a caller
 * authenticated otherwise (a console session); undefined when unknown or disabled.
 */
export function partnerById(deps: ClientAuthDeps & { planRateLimit?: PlanRateLimit | undefined }) {
  return async function findPartner(clientId: string): Promise<AuthenticatedClient | undefined> {
    const found = await findClientForAuth(deps, { id: clientId });
    return found.ok ? withRateLimit(deps.planRateLimit, found.client) : undefined;
  };
}

/**
 * The partner of an API key by the key's id, as partner auth would attach it, while the key works
 * (not disabled, not past a rotation's grace): for a console session signed in with that key.
 */
export function partnerByKeyId(deps: ClientAuthDeps & { clock: Clock; planRateLimit?: PlanRateLimit | undefined }) {
  return async function findPartnerKey(keyId: string): Promise<AuthenticatedClient | undefined> {
    const found = await authenticateApiKeyById(deps, keyId);
    return found.ok ? withRateLimit(deps.planRateLimit, found.client) : undefined;
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

/** The authenticated partner of a partner route (any scope) and the audit actor it acts as. */
export function partnerOf(request: FastifyRequest): { id: string; actor: AuditActor } {
  const client = request.client;
  if (!client) throw new ApiError('UNAUTHORIZED', FAILURE_MESSAGES.MISSING_KEY);
  return { id: client.id, actor: { type: 'partner', id: client.id, ip: request.ip, requestId: request.id } };
}

/** An `onRequest` hook after authentication: the key must carry at least one of `scopes`. */
export function requireAnyScope(scopes: readonly string[]) {
  return async function requireAnyOfScopes(request: FastifyRequest): Promise<void> {
    const client = request.client;
    if (!client) throw new ApiError('UNAUTHORIZED', FAILURE_MESSAGES.MISSING_KEY);
    if (!scopes.some((scope) => client.scopes.includes(scope))) {
      throw new ApiError('UNAUTHORIZED_SCOPE', `API key lacks every scope this route needs (one of: ${scopes.join(', ')})`, { required_scopes: [...scopes] });
    }
  };
}
