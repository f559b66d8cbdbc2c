import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '#platform/db/database-unavailable.ts';
import { safeErrorMessage } from '#platform/serialize-error.ts';
import { ApiError, errorBody, type ErrorCode } from './errors.ts';

type ValidationIssue = { instancePath: string; message?: string; keyword: string; params?: Record<string, unknown> };

/** Names the offending fields: `body.scopes[0]: Invalid option ...`. */
function describeValidation(issues: ValidationIssue[], context: string | undefined): { message: string; fields: string[] } {
  const fields: string[] = [];
  const parts = issues.map((issue) => {
    const base = [context ?? 'request', ...issue.instancePath.split('/').filter(Boolean)].join('.');
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params?.keys)) {
      const names = (issue.params.keys as string[]).map((key) => `${base}.${key}`);
      fields.push(...names);
      return `unknown field${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
    }
    fields.push(base);
    return `${base}: ${issue.message ?? 'invalid'}`;
  });
  return { message: parts.join('; '), fields };
}

/** Fastify's own request errors, answered with our codes and our words (never the exception's text). */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported Content-Type for this route' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_FAILED', message: 'Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: 'request body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type is malformed' },
  FST_ERR_CTP_INVALID_HANDLER: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported Content-Type for this route' },
  FST_ERR_BAD_URL: { code: 'VALIDATION_FAILED', message: 'the URL is not valid (malformed percent-encoding?)' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'VALIDATION_FAILED', message: 'the request could not be routed' },
  FST_ERR_VALIDATION: { code: 'VALIDATION_FAILED', message: 'the request is not valid' },
  FST_ERR_REP_INVALID_PAYLOAD_TYPE: { code: 'VALIDATION_FAILED', message: 'the request is not valid' },
};

const DATABASE_RETRY_AFTER_SECONDS = 2;
/** Unexpected errors logged in full per window; beyond it they are counted and summarised. */
const UNEXPECTED_LOG_WINDOW_MS = 10_000;
const UNEXPECTED_LOGS_PER_WINDOW = 5;
const DATABASE_LOGS_PER_WINDOW = 1;

/** At most `perWindow` log lines per window; the first one after a quiet spell says how many were dropped. */
function throttle(perWindow: number): (log: (suppressed: number) => void) => void {
  let windowStart = 0;
  let logged = 0;
  let suppressed = 0;
  return (log) => {
    const now = Date.now();
    if (now - windowStart >= UNEXPECTED_LOG_WINDOW_MS) {
      windowStart = now;
      logged = 0;
    }
    if (logged >= perWindow) {
      suppressed++;
      return;
    }
    logged++;
    log(suppressed);
    suppressed = 0;
  };
}

/** One short line: the error's type, code and message and where it was thrown; never its fields (SQL parameters, clients). */
function summarise(error: Error & { code?: unknown }): Record<string, unknown> {
  // Frames only: the stack's header repeats the message, which may span lines (drizzle's carries parameters).
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 3).map((line) => line.trim());
  return { type: error.name, code: typeof error.code === 'string' ? error.code : undefined, message: (safeErrorMessage(error) ?? '').slice(0, 300), at: frames };
}

/**
 * A response sent before the body was read (401 from headers, 413 from Content-Length) closes
 * the connection, so the server does not go on receiving a body nobody will look at.
 */
function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  const hasBody = raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0;
  if (hasBody && !raw.complete) reply.header('connection', 'close');
}

/**
 * One place turns every failure into `{error, error_code, request_id}`. Expected failures carry
 * their code; an unreachable database is a 503 with Retry-After; anything else is a 500 logged as
 * one short, throttled line: no stack trace, parameter or secret leaves the process or floods the log.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  const logUnexpected = throttle(UNEXPECTED_LOGS_PER_WINDOW);
  const logDatabaseDown = throttle(DATABASE_LOGS_PER_WINDOW);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    closeIfBodyUnread(request, reply);
    if (error instanceof ApiError) {
      const retryAfter = error.details?.retry_after_seconds;
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, request.id, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const { message, fields } = describeValidation(error.validation as ValidationIssue[], error.validationContext);
      return reply.code(400).send(errorBody('VALIDATION_FAILED', message, request.id, { fields }));
    }
    const known = typeof error.code === 'string' ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.code(known.code === 'VALIDATION_FAILED' || known.code === 'MALFORMED_JSON' ? 400 : (error.statusCode ?? 400)).send(errorBody(known.code, known.message, request.id));
    if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
      return reply.code(400).send(errorBody('MALFORMED_JSON', 'request body is not valid JSON', request.id));
    }
    if (error.statusCode === 429) return reply.code(429).send(errorBody('RATE_LIMITED', 'rate limit exceeded', request.id));
    if (isDatabaseUnavailable(error)) {
      logDatabaseDown((suppressed) => request.log.warn({ error: summarise(error), suppressed }, 'database unavailable: answering 503'));
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return reply.code(503).send(errorBody('DATABASE_UNAVAILABLE', 'the database is unavailable: retry shortly', request.id, { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS }));
    }
    if (error.statusCode === 408) return reply.code(408).send(errorBody('VALIDATION_FAILED', 'the request took too long to arrive', request.id));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('VALIDATION_FAILED', 'the request is not valid', request.id));
    }
    logUnexpected((suppressed) => request.log.error({ error: summarise(error), suppressed }, 'unhandled error'));
    return reply.code(500).send(errorBody('INTERNAL_ERROR', 'internal error', request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`, request.id));
  });
}
