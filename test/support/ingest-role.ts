/** The PostgreSQL role of the ingest gateway (migration 0016). */
export const INGEST_ROLE = 'veridity_ingest';

/** The same database, connected as the gateway's role (the test server trusts local connections; operators set a password). */
export function asIngestRole(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.username = INGEST_ROLE;
  url.password = '';
  return url.toString();
}
