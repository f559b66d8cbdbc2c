import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '#platform/db/database.ts';
import { hashToken, safeEqual } from '#platform/crypto/tokens.ts';
import { ApiError } from '#platform/http/errors.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { adminTokens } from './tables.ts';

declare module 'fastify' {
  interface FastifyRequest {
    adminTokenId?: string;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Which operator token has this SHA-256: the configured VERIDITY_ADMIN_TOKEN (`env`, compared in
 * constant time, hash against hash) or a stored, unrevoked token (its id); undefined for neither.
 */
export function adminTokenIdentifier(deps: { db: Db; configuredToken: string | undefined }) {
  const configuredHash = deps.configuredToken ? hashToken(deps.configuredToken) : undefined;
  return async function identifyAdminToken(presented: Buffer): Promise<string | undefined> {
    if (configuredHash && safeEqual(presented, configuredHash)) return 'env';
    const [row] = await deps.db
      .select({ id: adminTokens.id })
      .from(adminTokens)
      .where(and(eq(adminTokens.tokenHash, presented), isNull(adminTokens.revokedAt)));
    return row?.id;
  };
}

/** Operator auth by `Authorization: Bearer <token>` (see `adminTokenIdentifier`). */
export function adminAuth(deps: { db: Db; configuredToken: string | undefined }) {
  const identify = adminTokenIdentifier(deps);
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new ApiError('UNAUTHORIZED', 'missing admin bearer token');
    const id = await identify(hashToken(match[1]!));
    if (!id) throw new ApiError('UNAUTHORIZED', 'invalid admin token');
    request.adminTokenId = id;
  };
}

export function adminActor(request: FastifyRequest): AuditActor {
  return { type: 'admin', id: request.adminTokenId ?? null, ip: request.ip, requestId: request.id };
}
