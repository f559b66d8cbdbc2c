import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';

/** What fastify-type-provider-zod marks its issues with, so the error handler renders them as ours. */
const ZOD_ISSUE = Symbol.for('ZodFastifySchemaValidationError');

/**
 * The zod validator, except that a schema throwing (a refinement meeting input it did not
 * expect) is a 400 naming the part of the request, never a 500 carrying the exception's text.
 */
export const guardedValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const validate = validatorCompiler(route as never) as (data: unknown) => { value?: unknown; error?: unknown };
  return (data: unknown) => {
    try {
      return validate(data) as never;
    } catch {
      return { error: [{ [ZOD_ISSUE]: true, keyword: 'custom', instancePath: '', schemaPath: '#', message: 'could not be validated', params: {} }] } as never;
    }
  };
};
