import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { ERROR_CODES, type ErrorCode } from '#platform/http/errors.ts';
import { OAUTH_ERRORS, type OAuthErrorCode } from './oauth-error.ts';

/**
 * The token request, form-encoded or JSON. Unknown parameters are ignored, as RFC 6749 §3.2
 * requires (unlike our other strict schemas); semantic checks happen in the handler so that every
 * failure is an RFC 6749 error.
 */
export const TokenRequestSchema = z
  .looseObject({
    grant_type: z.string().optional().describe('`client_credentials`'),
    scope: z.string().optional().describe('Space-separated claim types, a subset of the client scopes; omitted: all of them'),
    client_id: z.string().optional().describe('Client id (`cli_...`), when not sent by HTTP Basic'),
    client_secret: z.string().optional().describe('The API key, when not sent by HTTP Basic'),
  })
  .meta({ id: 'TokenRequest', examples: [{ grant_type: 'client_credentials', scope: 'age_over_18', client_id: EXAMPLE.clientId, client_secret: EXAMPLE.apiKey }] });

export const TokenResponseSchema = z
  .object({
    access_token: z.string().describe('JWT (EdDSA), verifiable with /.well-known/jwks.json'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds'),
    scope: z.string().describe('Granted scopes, space-separated'),
  })
  .meta({ id: 'TokenResponse', examples: [{ access_token: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6IjRmM2EifQ.eyJzdWIiOiJjbGlfMDFtOHI0cHY4Y2Y3N3M5cXBzeGdka2Q4amoifQ.c2lnbmF0dXJl', token_type: 'Bearer', expires_in: 900, scope: 'age_over_18' }] });

export const OAuthErrorSchema = z
  .object({
    error: z.enum(Object.keys(OAUTH_ERRORS) as [OAuthErrorCode, ...OAuthErrorCode[]]).describe('RFC 6749 §5.2 error code'),
    error_description: z.string(),
    error_code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string(),
  })
  .meta({ id: 'OAuthError', examples: [{ error: 'invalid_client', error_description: 'unknown client or wrong key', error_code: 'UNAUTHORIZED', request_id: EXAMPLE.requestId }] });

export const JwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string(),
        kid: z.string().describe('RFC 7638 thumbprint; the `kid` header of the tokens it signed'),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({ id: 'Jwks' });

export type TokenRequest = z.infer<typeof TokenRequestSchema>;
