import type { FastifyInstance } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { registerBoundedJsonParser } from './bounded-json.ts';
import { registerErrorHandling } from './error-handler.ts';
import { guardedValidatorCompiler } from './guarded-validator.ts';
import { refuseUnsafeStrings } from './unsafe-strings.ts';

/**
 * What every request meets before a handler, whatever the route: zod validation that cannot
 * throw, the error contract, a depth-bounded JSON parser (and no other parser at the root),
 * and the refusal of NUL and lone surrogates in parameters, query and body.
 */
export function prepareHttpEdge(app: FastifyInstance): void {
  app.setValidatorCompiler(guardedValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerBoundedJsonParser(app);
  app.addHook('preValidation', refuseUnsafeStrings);
}
