import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { generateToken, hashToken } from '#platform/crypto/tokens.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';

/** How long an enrollment token can be used (once). */
export const ENROLLMENT_TTL_MS = 24 * 3600 * 1000;

export type CreatedEnrollment = { id: string; token: string; name: string | null; expiresAt: Date };

/**
 * POST /api/v1/evidence/enrollments: a one-time enrollment token (`enr_...`) for one agent of the
 * partner, valid 24 hours. Only its SHA-256 is stored; the token is in the answer and nowhere else.
 */
export async function createEnrollment(deps: { pool: Pool; clock: Clock }, clientId: string, name: string | undefined, actor: AuditActor): Promise<CreatedEnrollment> {
  const now = deps.clock.now();
  const token = generateToken('enr');
  const enrollment = { id: newId('aen', now.getTime()), token, name: name ?? null, expiresAt: new Date(now.getTime() + ENROLLMENT_TTL_MS) };
  await inTransaction(deps.pool, async (tx) => {
    await tx.query(
      'INSERT INTO evidence_enrollments (id, client_id, token_hash, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [enrollment.id, clientId, hashToken(token), enrollment.name, now, enrollment.expiresAt],
    );
    await recordAudit(drizzle({ client: tx }), actor, { action: 'evidence_enrollment.created', targetType: 'evidence_enrollment', targetId: enrollment.id, details: { name: enrollment.name, expires_at: enrollment.expiresAt.toISOString() } }, now);
  });
  return enrollment;
}
