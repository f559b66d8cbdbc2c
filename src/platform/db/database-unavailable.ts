/**
 * Whether an error means the database cannot be reached right now (restart, failover, network),
 * as opposed to a query that failed on its own merits. Such errors answer 503 DATABASE_UNAVAILABLE
 * with Retry-After instead of a 500, and make workers back off.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
]);

const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const UNAVAILABLE_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Connection terminated',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((known) => message.includes(known))) return true;
  }
  return false;
}

/**
 * What to log about a database error: its root cause's code and message, one short line. Never
 * the error object: pg hangs the whole client (connection parameters, password included) on the
 * error of an idle connection, and drizzle's message quotes the query's parameters.
 */
export function databaseErrorFields(error: unknown): { error_code: string | undefined; error: string } {
  let root = error;
  for (let depth = 0; depth < 5 && root && typeof root === 'object' && (root as { cause?: unknown }).cause; depth++) root = (root as { cause: unknown }).cause;
  const { code, message } = (root && typeof root === 'object' ? root : {}) as { code?: unknown; message?: unknown };
  return { error_code: typeof code === 'string' ? code : undefined, error: (typeof message === 'string' ? message : String(root)).slice(0, 200) };
}
