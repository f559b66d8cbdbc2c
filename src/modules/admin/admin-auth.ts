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
 * Operator auth by `Authorization: Bearer <token>`: the configured VERIDITY_ADMIN_TOKEN (compared
 * in constant time, hash against hash) or a stored, unrevoked token.
 */
export function adminAuth(deps: { db: Db; configuredToken: string | undefined }) {
  const configuredHash = deps.configuredToken ? hashToken(deps.configuredToken) : undefined;
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new ApiError('UNAUTHORIZED', 'missing admin bearer token');
    const presented = hashToken(match[1]!);
    if (configuredHash && safeEqual(presented, configuredHash)) {
      request.adminTokenId = 'env';
      return;
    }
    const [row] = await deps.db
      .select({ id: adminTokens.id })
      .from(adminTokens)
      .where(and(eq(adminTokens.tokenHash, presented), isNull(adminTokens.revokedAt)));
    if (!row) throw new ApiError('UNAUTHORIZED', 'invalid admin token');
    request.adminTokenId = row.id;
  };
}

export function adminActor(request: FastifyRequest): AuditActor {
  return { type: 'admin', id: request.adminTokenId ?? null, ip: request.ip, requestId: request.id };
}
