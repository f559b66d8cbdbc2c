import type { Config } from '#src/config.ts';
import type { Database } from '#platform/db/database.ts';

export type BannerInput = {
  config: Config;
  database: Database;
  /** The port the API listens on (PORT=0 picks one). */
  port: number;
  workers: readonly string[] | undefined;
  /** The admin token generated at this (first) start: shown once, here. */
  adminToken: string | undefined;
};

/** A browsable host: a wildcard address is reachable on loopback. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function databaseLine(config: Config, database: Database): string {
  if (!database.embedded) {
    const url = new URL(database.url);
    return `external PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname} (DATABASE_URL)`;
  }
  const where = database.embedded.clusterDir.startsWith(config.dataDir) ? '' : `, cluster in ${database.embedded.clusterDir}`;
  return `embedded PostgreSQL 17 on 127.0.0.1:${database.embedded.port}${where}`;
}

/** The start-up banner for people (the JSON log line "Veridity is serving" carries the same for machines). */
export function formatBanner(input: BannerInput): string {
  const { config, database } = input;
  const origin = `http://${browsableHost(config.host)}:${input.port}`;
  const lines = [
    '',
    `  Veridity is serving on ${origin}`,
    '',
    `    API        ${origin}/api/v1   (OpenAPI: ${origin}/openapi.json)`,
    `    console    ${origin}/console/   (sign in with the admin token)`,
    `    API docs   ${origin}/docs`,
    `    prove      ${origin}/prove    (the holder page)`,
    `    database   ${databaseLine(config, database)}`,
    `    data       ${config.dataDir}${config.s3 ? ` (objects in s3://${config.s3.bucket})` : ''}`,
    `    workers    ${input.workers?.join(', ') ?? 'none (VERIDITY_EMBEDDED_WORKERS=false)'}`,
  ];
  if (input.adminToken) {
    lines.push(
      '',
      '  Admin token (shown once, only its hash is stored; copy it now):',
      '',
      `    ${input.adminToken}`,
      '',
      '  Sign in with it at /console/, or use it as "Authorization: Bearer <token>" on /api/admin/*. Lost it? Run: veridity admin create-token',
    );
  }
  lines.push('', `  Try it: VERIDITY_ADMIN_TOKEN=<admin token> npm run demo -- --url ${origin}`, '');
  return lines.join('\n') + '\n';
}
