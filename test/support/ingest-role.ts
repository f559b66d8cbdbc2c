import pg from 'pg';
import { INGEST_ROLE } from '#modules/evidence/agents/set-ingest-role-password.ts';

export { INGEST_ROLE };

/**
 * Migration 0016 creates the role without a password: the operator sets one. Tests do as an
 * operator would, with one fixed password, so that a cluster that checks passwords (the embedded
 * PostgreSQL uses SCRAM) lets the gateway in; a trusting one (the CI service) ignores it.
 */
export const INGEST_TEST_PASSWORD = 'veridity-ingest-test';

/** The same database, connected as the gateway's role, after the role's password was set through the owner's `databaseUrl`. */
export async function asIngestRole(databaseUrl: string): Promise<string> {
  const owner = new pg.Client({ connectionString: databaseUrl });
  await owner.connect();
  try {
    await owner.query(`ALTER ROLE ${INGEST_ROLE} PASSWORD '${INGEST_TEST_PASSWORD}'`);
  } finally {
    await owner.end();
  }
  const url = new URL(databaseUrl);
  url.username = INGEST_ROLE;
  url.password = INGEST_TEST_PASSWORD;
  return url.toString();
}
