import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientAuthDeps } from '#modules/clients/authenticate-api-key.ts';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { ApiError, type ErrorCode } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponse, jsonResponse } from '#platform/http/schemas.ts';
import { issueAccessToken, type IssueAccessTokenResult } from './issue-access-token.ts';
import { BASIC_CHALLENGE, OAuthError, oauthErrorBody } from './oauth-error.ts';
import { parseFormBody } from './parse-form-body.ts';
import { publishJwks } from './publish-jwks.ts';
import { readClientCredentials } from './read-client-credentials.ts';
import { JwksSchema, OAuthErrorSchema, TokenRequestSchema, TokenResponseSchema, type TokenRequest } from './schema.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from './token-profile.ts';

export type OAuthRouteDeps = ClientAuthDeps & {
  clock: Clock;
  platformKeys: PlatformKeys;
};

const CLIENT_CREDENTIALS = 'client_credentials';
/** A token request is a few hundred bytes; anything near this is not one. */
const TOKEN_REQUEST_LIMIT_BYTES = 8 * 1024;
/** Both routes are unauthenticated (the client authenticates inside the token request): counted per IP. */
const config = { access: access.publicRateLimited };

/** Body failures Fastify raises before the handler runs, kept under our code but answered in RFC 6749 form. */
const BODY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

function toOAuthError(error: FastifyError | Error): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  // Refused at the edge before the handler (NUL or lone surrogates, nesting): still an RFC 6749 error.
  if (error instanceof ApiError && error.statusCode === 400) return new OAuthError('invalid_request', error.message, { errorCode: error.code });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => `${['body', ...issue.instancePath.split('/').filter(Boolean)].join('.')}: ${issue.message ?? 'invalid'}`);
    return new OAuthError('invalid_request', issues.join('; '));
  }
  const bodyError = 'code' in error && typeof error.code === 'string' ? BODY_ERRORS[error.code] : undefined;
  if (bodyError === 'MALFORMED_JSON' || (error instanceof SyntaxError && (error as FastifyError).statusCode === 400)) {
    return new OAuthError('invalid_request', 'request body is not valid JSON', { errorCode: 'MALFORMED_JSON' });
  }
  if (bodyError) return new OAuthError('invalid_request', error.message, { errorCode: bodyError });
  return undefined;
}

/** RFC 6749 §5.1: token responses, successful or not, must not be cached. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** Token-endpoint failures as RFC 6749 §5.2 bodies plus our error_code and request_id; anything else (rate limiting, bugs) goes to the application's handler. */
function tokenEndpointErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const oauth = toOAuthError(error);
  if (!oauth) throw error;
  noStore(reply);
  if (oauth.oauthCode === 'invalid_client') reply.header('www-authenticate', BASIC_CHALLENGE);
  return reply.code(oauth.statusCode).send(oauthErrorBody(oauth, request.id));
}

/** JSON clients may send "" where a form would omit the parameter; RFC 6749 §3.2 treats both as absent. */
function withoutEmpty(body: TokenRequest | undefined): TokenRequest {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => value !== '')) as TokenRequest;
}

function issueFailure(result: IssueAccessTokenResult & { ok: false }): OAuthError {
  return new OAuthError(result.code === 'INVALID_SCOPE' ? 'invalid_scope' : 'invalid_client', result.message);
}

/**
 * `POST /oauth/token` (client credentials) and `GET /.well-known/jwks.json`, in a scope of their
 * own so the form-body parser exists for these routes only.
 */
export async function registerOAuthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    // Form (the standard) beside the application's JSON parser.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, async (_request: FastifyRequest, body: string) => parseFormBody(body));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.post('/oauth/token', {
      config,
      bodyLimit: TOKEN_REQUEST_LIMIT_BYTES,
      errorHandler: tokenEndpointErrorHandler,
      schema: {
        operationId: 'issueAccessToken',
        tags: ['OAuth'],
        summary: 'OAuth 2.0 client credentials grant (RFC 6749 §4.4): an access token for the Authorization: Bearer header',
        description:
          'Authenticate with HTTP Basic (`client_id` = the client id `cli_...`, `client_secret` = the API key) or with ' +
          '`client_id` and `client_secret` in the body. The token is a JWT signed with EdDSA (keys at /.well-known/jwks.json), ' +
          `valid ${ACCESS_TOKEN_TTL_SECONDS} s. Errors follow RFC 6749 §5.2 (\`error\`, \`error_description\`) and carry ` +
          '`error_code` and `request_id`: invalid_client 401 UNAUTHORIZED, invalid_request 400 VALIDATION_FAILED ' +
          '(MALFORMED_JSON, 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE for unreadable bodies), ' +
          'unsupported_grant_type 400 VALIDATION_FAILED, invalid_scope 400 UNAUTHORIZED_SCOPE.',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequestSchema,
        response: {
          200: jsonResponse('The access token (never cached: `Cache-Control: no-store`)', TokenResponseSchema),
          400: jsonResponse('`invalid_request`, `unsupported_grant_type` or `invalid_scope` (RFC 6749 §5.2)', OAuthErrorSchema),
          401: jsonResponse('`invalid_client`: unknown client, wrong or revoked key (with `WWW-Authenticate: Basic`)', OAuthErrorSchema),
          413: jsonResponse('`invalid_request`: the body is over 8 KiB (`PAYLOAD_TOO_LARGE`)', OAuthErrorSchema),
          415: jsonResponse('`invalid_request`: neither a form nor JSON (`UNSUPPORTED_MEDIA_TYPE`)', OAuthErrorSchema),
          429: errorResponse(429),
        },
      },
    }, async (request, reply) => {
      const body = withoutEmpty(request.body);
      const credentials = readClientCredentials(request.headers.authorization, body);
      if (!credentials.ok) {
        const invalidClient = credentials.code === 'MISSING' || credentials.code === 'MALFORMED_BASIC';
        throw new OAuthError(invalidClient ? 'invalid_client' : 'invalid_request', credentials.message);
      }
      if (body.grant_type === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
      if (body.grant_type !== CLIENT_CREDENTIALS) {
        throw new OAuthError('unsupported_grant_type', `grant_type must be ${CLIENT_CREDENTIALS}`);
      }
      const result = await issueAccessToken(deps, { ...credentials.credentials, scope: body.scope });
      if (!result.ok) throw issueFailure(result);
      const { clientId, method } = credentials.credentials;
      request.log.info({ client_id: clientId, auth_method: method, token_id: result.tokenId, scope: result.token.scope }, 'access token issued');
      noStore(reply);
      return result.token;
    });

    r.get('/.well-known/jwks.json', {
      config,
      schema: {
        operationId: 'getJwks',
        tags: ['OAuth'],
        summary: 'Public keys (JWK Set, RFC 7517) that verify the access tokens',
        description: 'Ed25519 public keys (`kid` = RFC 7638 thumbprint) that verify access tokens from POST /oauth/token, retired ones included while tokens they signed may live.',
        response: { 200: jsonResponse('The JWK Set', JwksSchema), 429: errorResponse(429) },
      },
    }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return publishJwks(deps);
    });
  });
}
