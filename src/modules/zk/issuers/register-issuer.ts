import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { issuers } from '../tables.ts';
import { toIssuer, type Issuer, type IssuerCreateSchema } from './schema.ts';

export type RegisterIssuerResult = { ok: true; issuer: Issuer } | { ok: false; code: 'ALREADY_REGISTERED'; existingId: string };

/** Registers a trusted issuer public key (never a private key) for some claim types. */
export async function registerIssuer(deps: { db: Db; clock: Clock }, input: z.infer<typeof IssuerCreateSchema>, actor: AuditActor): Promise<RegisterIssuerResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(issuers)
      .values({ id: newId('iss'), name: input.name, publicKeyAx: input.public_key.ax, publicKeyAy: input.public_key.ay, claimTypes: input.claim_types, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!inserted) {
      const [existing] = await tx.select({ id: issuers.id }).from(issuers).where(and(eq(issuers.publicKeyAx, input.public_key.ax), eq(issuers.publicKeyAy, input.public_key.ay)));
      return { ok: false, code: 'ALREADY_REGISTERED', existingId: existing!.id } as const;
    }
    await recordAudit(tx, actor, { action: 'issuer.registered', targetType: 'issuer', targetId: inserted.id, details: { name: input.name, claim_types: input.claim_types } }, now);
    return { ok: true, issuer: toIssuer(inserted) } as const;
  });
}

