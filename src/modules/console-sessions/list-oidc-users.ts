import type { Pool } from '#platform/db/pool.ts';
import type { OidcUser } from './link-oidc-user.ts';

/** The OIDC identities linked to a partner (at any issuer), oldest first. */
export async function listOidcUsers(deps: { pool: Pool }, clientId: string): Promise<OidcUser[]> {
  const { rows } = await deps.pool.query<OidcUser>(
    'SELECT id, client_id AS "clientId", issuer, subject, email, created_at AS "createdAt" FROM console_oidc_users WHERE client_id = $1 ORDER BY id',
    [clientId],
  );
  return rows;
}
