import type { Queryable } from './session-row.ts';

/**
 * The partner link of an identity at `issuer`: by its subject, else by its e-mail when the
 * provider says it is verified (an unverified address could be anyone's).
 */
export async function findOidcUser(db: Queryable, issuer: string, subject: string, verifiedEmail: string | undefined): Promise<{ id: string; clientId: string } | undefined> {
  const { rows } = await db.query<{ id: string; clientId: string }>(
    `SELECT id, client_id AS "clientId" FROM console_oidc_users
      WHERE issuer = $1 AND (subject = $2 OR ($3::text IS NOT NULL AND email = $3))
      ORDER BY subject IS NULL LIMIT 1`,
    [issuer, subject, verifiedEmail?.toLowerCase() ?? null],
  );
  return rows[0];
}
