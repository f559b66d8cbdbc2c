import { databaseErrorFields } from '#platform/db/database-unavailable.ts';
import type { Pool } from '#platform/db/pool.ts';
import { SCRAM_PASSWORD, scramSha256Verifier } from '#platform/db/scram-verifier.ts';

/** The ingest gateway's PostgreSQL role (migration 0016). */
export const INGEST_ROLE = 'veridity_ingest';

export type SetIngestRolePasswordResult =
  | { ok: true; changed: boolean }
  | { ok: false; problem: string };

/**
 * What `veridity migrate` does with INGEST_DATABASE_URL: the role veridity_ingest gets the URL's
 * password, so a deployment keeps the gateway's credential in one secret and no operator has to
 * reach a private database with psql. Only that role's password is ever set (a URL naming the
 * owner by mistake is refused), and only as a SCRAM verifier: the password itself is never sent.
 * A URL without a password (certificate or trust authentication) changes nothing.
 */
export async function setIngestRolePassword(pool: Pool, ingestDatabaseUrl: string): Promise<SetIngestRolePasswordResult> {
  const url = URL.parse(ingestDatabaseUrl);
  if (!url) return { ok: false, problem: 'INGEST_DATABASE_URL is not a URL' };
  const user = decodeURIComponent(url.username);
  if (user !== INGEST_ROLE) return { ok: false, problem: `INGEST_DATABASE_URL names the role ${user || '(none)'}, not ${INGEST_ROLE}: migrate sets the password of the gateway's role only` };
  const password = decodeURIComponent(url.password);
  if (password === '') return { ok: true, changed: false };
  if (!SCRAM_PASSWORD.test(password)) return { ok: false, problem: "INGEST_DATABASE_URL's password must be printable ASCII (percent-encoded in the URL where needed)" };
  try {
    // A verifier is base64, digits, '$' and ':' only: nothing to escape in the literal.
    await pool.query(`ALTER ROLE ${INGEST_ROLE} PASSWORD '${scramSha256Verifier(password)}'`);
  } catch (error) {
    const { error_code: code, error: message } = databaseErrorFields(error);
    if (code === '42501') return { ok: false, problem: `the migrating role may not set ${INGEST_ROLE}'s password (it needs CREATEROLE, and on PostgreSQL 16+ admin rights on that role): ${message}` };
    throw error;
  }
  return { ok: true, changed: true };
}
