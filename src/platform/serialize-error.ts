import { DrizzleQueryError } from 'drizzle-orm';

/**
 * The only fields of an error besides type, message and stack that reach the logs: errno-style
 * codes and the parts of a PostgreSQL error that name things, never values. Left out on purpose:
 * drizzle's `query`/`params` (key hashes, sealed secrets), pg's `detail`, `where` and
 * `internalQuery` (they quote row values), and objects such as a pg `client` (its connection
 * parameters hold the database password).
 */
const SAFE_FIELDS = ['code', 'errno', 'syscall', 'statusCode', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'] as const;

/** Enough of the SQL text (placeholders, never values) to recognise the query. */
const MAX_QUERY_CHARS = 200;

export type SerializedError = {
  type: string;
  message: string | undefined;
  stack?: string;
  cause?: SerializedError | string;
  aggregateErrors?: Array<SerializedError | string>;
  [field: string]: unknown;
};

/** drizzle's message is `Failed query: <sql>\nparams: <values>`: rebuilt without the values. */
export function safeErrorMessage(error: object): string | undefined {
  if (error instanceof DrizzleQueryError) return `Failed query: ${error.query.slice(0, MAX_QUERY_CHARS)}`;
  return 'message' in error && typeof error.message === 'string' ? error.message : undefined;
}

/** The stack's frames under a header made from the safe message (the original header repeats the raw one). */
function stackOf(error: object, type: string, message: string | undefined): string | undefined {
  if (!('stack' in error) || typeof error.stack !== 'string') return undefined;
  const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [`${type}: ${message ?? ''}`, ...frames].join('\n');
}

function describe(value: unknown, seen: Set<object>): SerializedError | string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const type = value.constructor?.name || 'Object';
  const message = safeErrorMessage(value);
  const serialized: SerializedError = { type, message };
  const stack = stackOf(value, type, message);
  if (stack !== undefined) serialized.stack = stack;
  for (const field of SAFE_FIELDS) {
    const fieldValue = (value as Record<string, unknown>)[field];
    if (typeof fieldValue === 'string' || typeof fieldValue === 'number') serialized[field] = fieldValue;
  }
  if ('cause' in value && value.cause !== undefined) serialized.cause = describe(value.cause, seen);
  if (value instanceof AggregateError) serialized.aggregateErrors = value.errors.map((inner) => describe(inner, seen));
  return serialized;
}

/**
 * pino's `err` serializer: type, message, stack, codes and causes (each alike), nothing else, so
 * a failed query never logs its parameters. Primitives pass through unchanged.
 */
export function serializeError(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? describe(value, new Set()) : value;
}
