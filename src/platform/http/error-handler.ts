import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
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

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/**
 * One place turns every failure into `{error, error_code, request_id}`. Unexpected errors are
 * logged with their stack and answered with a generic 500: no stack trace leaves the process.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.code === 'RATE_LIMITED' && error.details?.retry_after_seconds !== undefined) {
        reply.header('retry-after', String(error.details.retry_after_seconds));
      }
      return reply.code(error.statusCode).send(errorBody(error.code, error.message, request.id, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const { message, fields } = describeValidation(error.validation as ValidationIssue[], error.validationContext);
      return reply.code(400).send(errorBody('VALIDATION_FAILED', message, request.id, { fields }));
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) {
      const message = mapped === 'MALFORMED_JSON' ? 'request body is not valid JSON' : error.message;
      return reply.code(error.statusCode ?? 400).send(errorBody(mapped, message, request.id));
    }
    if (error instanceof SyntaxError && (error as FastifyError).statusCode === 400) {
      return reply.code(400).send(errorBody('MALFORMED_JSON', 'request body is not valid JSON', request.id));
    }
    if (error.statusCode === 429) {
      return reply.code(429).send(errorBody('RATE_LIMITED', 'rate limit exceeded', request.id));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('VALIDATION_FAILED', error.message, request.id));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL_ERROR', 'internal error', request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`, request.id));
  });
}
