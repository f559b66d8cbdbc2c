import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { auditLink, checkLinkable, type LinkRefusal } from './sign-in-links.ts';

/** An identity of the operator's OpenID provider that signs in as a partner: by subject, or by verified e-mail. */
export type OidcUser = { id: string; clientId: string; issuer: string; subject: string | null; email: string | null; createdAt: Date };

export type LinkOidcUserResult = { ok: true; value: OidcUser } | LinkRefusal;

/** Links an identity at `issuer` (the configured OIDC_ISSUER) to a partner; one identity belongs to one partner only. */
export async function linkOidcUser(deps: { pool: Pool; clock: Clock }, issuer: string, clientId: string, input: { subject: string } | { email: string }, actor: AuditActor): Promise<LinkOidcUserResult> {
  const subject = 'subject' in input ? input.subject : null;
  const email = 'email' in input ? input.email.toLowerCase() : null;
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx): Promise<LinkOidcUserResult> => {
    const refused = await checkLinkable(tx, 'oidcUser', clientId);
    if (refused) return refused;
    const id = newId('oiu');
    const inserted = await tx.query(
      'INSERT INTO console_oidc_users (id, client_id, issuer, subject, email, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [id, clientId, issuer, subject, email, now],
    );
    if (inserted.rowCount === 0) return { ok: false, code: 'CONFLICT', message: `this ${subject !== null ? 'subject' : 'e-mail address'} is linked to a partner already` };
    await auditLink(tx, actor, 'oidcUser', 'linked', id, now, { client_id: clientId, issuer, ...(subject !== null ? { subject } : { email }) });
    return { ok: true, value: { id, clientId, issuer, subject, email, createdAt: now } };
  });
}
