import type { FastifyInstance } from 'fastify';

/**
 * Lets a route scope take a body of these media types as it is: bytes (given base64) or text,
 * turned into the one-field JSON object the route's schema also accepts as JSON
 * (`{der_base64}`, `{pem}`). One schema, one idempotency hash and one handler then serve both
 * forms. Registered in the route's own scope, after authentication, with its own size limit.
 */
export function acceptRawBodies(scope: FastifyInstance, mediaTypes: readonly string[], options: { as: 'base64' | 'text'; field: string; bodyLimit: number }): void {
  const parseAs = options.as === 'base64' ? 'buffer' : 'string';
  scope.addContentTypeParser([...mediaTypes], { parseAs, bodyLimit: options.bodyLimit }, (_request, body, done) => {
    done(null, { [options.field]: Buffer.isBuffer(body) ? body.toString('base64') : body });
  });
}
