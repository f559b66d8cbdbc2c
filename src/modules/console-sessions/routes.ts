import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inTransaction } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import type { Logger } from '#platform/logger.ts';
import type { SessionActor } from './check-session-credential.ts';
import type { ConsoleSessionAuth } from './console-session-auth.ts';
import { clearOidcLoginCookie, clearSessionCookies, OIDC_LOGIN_COOKIE, readCookie, REFRESH_COOKIE, setOidcLoginCookie, setSessionCookies } from './cookies.ts';
import { createWalletChallenge } from './create-wallet-challenge.ts';
import { finishOidcSignIn } from './finish-oidc-sign-in.ts';
import type { IdentityProvider, OidcFailure } from './identity-provider.ts';
import { listSessions } from './list-sessions.ts';
import { refreshSession } from './refresh-session.ts';
import { revokeSession, type SessionScope } from './revoke-session.ts';
import {
  ConsoleConfigSchema,
  ConsoleSessionListSchema,
  ConsoleSessionStateSchema,
  ConsoleSignInSchema,
  OidcCallbackQuery,
  OidcStartQuery,
  SessionIdParams,
  toConsoleSession,
  toSessionListItem,
  WalletChallengeCreateSchema,
  WalletChallengeSchema,
} from './schema.ts';
import { auditSession, sessionAuditActor } from './session-audit.ts';
import type { RequestOrigin, SessionRow } from './session-row.ts';
import { csrfTokenOf } from './session-tokens.ts';
import { signIn, type SignInDeps } from './sign-in.ts';
import { OIDC_LOGIN_TTL_MS, startOidcSignIn } from './start-oidc-sign-in.ts';
import { WALLET_CHAINS } from './wallet-address.ts';

export type ConsoleRouteDeps = SignInDeps & { log: Logger; auth: ConsoleSessionAuth; provider: IdentityProvider | undefined };

const TAGS = ['Console'];
const NO_CONTENT = { 204: z.null().describe('Done') };
const REDIRECT = { 302: z.null().describe('Redirect (`Location`)') };
/** Where the browser lands after an OIDC sign-in. */
const CONSOLE_HOME = '/console/';
/** Where a refused OIDC sign-in lands, `?sign_in_error=<reason>&request_id=<id>` added: the page that says why (the log line has the details) and offers to try again. */
const SIGN_IN_PAGE = '/console/sign-in';

/** Where a browser lands when single sign-on fails: the sign-in page words the reason and shows the request id (the log line's). */
function signInErrorPage(reason: OidcFailure, requestId: string): string {
  return `${SIGN_IN_PAGE}?${new URLSearchParams({ sign_in_error: reason, request_id: requestId })}`;
}

const originOf = (request: FastifyRequest): RequestOrigin => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
const scopeOf = (row: SessionRow): SessionScope => (row.role === 'operator' ? { role: 'operator' } : { role: 'partner', clientId: row.clientId! });

function answerWithSession(request: FastifyRequest, reply: FastifyReply, session: { row: SessionRow; access: string; refresh: string }, actor: SessionActor) {
  setSessionCookies(request, reply, session);
  return { session: toConsoleSession(session.row, actor), csrf_token: csrfTokenOf(session.access) };
}

/** The web console's sign-in: sessions by cookie, wallet challenges, OIDC, and the console's own configuration. */
export function registerConsoleSessionRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const signedIn = { access: access.console, carriesSecret: true };

  r.get('/api/console/config', {
    config: { access: access.public },
    schema: {
      operationId: 'getConsoleConfig',
      tags: TAGS,
      summary: 'Which sign-in methods the console offers',
      description: 'Public: whether OIDC sign-in is configured, and the chains whose wallets can sign in. Admin tokens and API keys always can.',
      response: { 200: jsonResponse('The console\'s sign-in methods', ConsoleConfigSchema) },
    },
  }, async () => ({ oidc: deps.provider !== undefined, wallet_chains: [...WALLET_CHAINS], siwe_chain_id: deps.siweChainId }));

  r.post('/api/console/sessions', {
    config: { access: access.publicRateLimited, carriesSecret: true },
    schema: {
      operationId: 'signInToConsole',
      tags: TAGS,
      summary: 'Sign in to the console (sets the session cookies)',
      description:
        'With an admin token (operator), a partner\'s API key (exchanged: the key is not kept), or a wallet an operator linked to a partner: ' +
        'Sign-In with Ethereum (`siwe`) or a Sui personal message (`sui`) over a challenge from POST /api/console/wallet/challenges. ' +
        'Sets `veridity_session` (HttpOnly, SameSite=Lax, 15 minutes) and `veridity_refresh` (HttpOnly, SameSite=Strict, path /api/console/session, 30 days). ' +
        'Wrong credentials: 401 with `reason` (`INVALID_CREDENTIALS`, `PARTNER_DISABLED`, wallets: `NONCE_UNKNOWN`, `NONCE_USED`, `EXPIRED`, `DOMAIN_MISMATCH`, `ADDRESS_MISMATCH`, `MESSAGE_MISMATCH`, `MALFORMED_MESSAGE`, `SIGNATURE_INVALID`, `WALLET_NOT_LINKED`).',
      body: ConsoleSignInSchema,
      response: { 201: jsonResponse('Signed in: the session and its CSRF token', ConsoleSessionStateSchema), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await signIn(deps, request.body, { domain: request.host ?? '', origin: originOf(request), requestId: request.id });
    if (!result.ok) throw new ApiError('UNAUTHORIZED', result.message, { reason: result.reason });
    reply.code(201);
    return answerWithSession(request, reply, result.session, result.actor);
  });

  r.get('/api/console/session', {
    config: signedIn,
    schema: {
      operationId: 'getConsoleSession',
      tags: TAGS,
      summary: 'The session of the cookie, and its CSRF token',
      description: 'Who is signed in (operator, or partner with its id and name) and until when; 401 when the session cookie is absent, expired or revoked (refresh, or sign in).',
      response: { 200: jsonResponse('The current session and its CSRF token', ConsoleSessionStateSchema), ...errorResponses(401) },
    },
  }, async (request) => {
    const { row, actor } = deps.auth.current(request);
    return { session: toConsoleSession(row, actor), csrf_token: request.consoleSession!.csrfToken };
  });

  r.post('/api/console/session/refresh', {
    config: { access: access.publicRateLimited, carriesSecret: true },
    schema: {
      operationId: 'refreshConsoleSession',
      tags: TAGS,
      summary: 'New session cookies for the refresh cookie (which rotates)',
      description:
        'Takes the `veridity_refresh` cookie and answers new `veridity_session` and `veridity_refresh` cookies (and a new CSRF token); the old ones stop working. ' +
        'A refresh cookie presented a second time means a copy was taken: the whole session is revoked (401 `reason` `REFRESH_TOKEN_REUSED`). ' +
        'Other 401 reasons: `UNKNOWN`, `REVOKED`, `EXPIRED`, `CREDENTIAL_REVOKED` (the admin token revoked, the partner disabled, its key rotated after an API key sign-in).',
      response: { 200: jsonResponse('The session, refreshed, and its new CSRF token', ConsoleSessionStateSchema), ...errorResponses(401) },
    },
  }, async (request, reply) => {
    const token = readCookie(request, REFRESH_COOKIE);
    if (!token) throw new ApiError('UNAUTHORIZED', 'no refresh cookie: sign in', { reason: 'UNKNOWN' });
    const result = await refreshSession(deps, token, originOf(request));
    if (!result.ok) {
      clearSessionCookies(request, reply);
      throw new ApiError('UNAUTHORIZED', result.message, { reason: result.reason });
    }
    return answerWithSession(request, reply, result, result.actor);
  });

  r.delete('/api/console/session', {
    config: signedIn,
    schema: {
      operationId: 'signOutOfConsole',
      tags: TAGS,
      summary: 'Sign out: the session is revoked, both cookies cleared',
      description: 'Revokes the session of the cookie (its session and refresh tokens stop working everywhere) and clears both cookies. Needs `X-CSRF-Token`.',
      response: { ...NO_CONTENT, ...errorResponses(401) },
    },
  }, async (request, reply) => {
    const { row, actor } = deps.auth.current(request);
    await inTransaction(deps.pool, async (tx) => {
      if (await revokeSession(deps, tx, row.id, 'signed_out')) {
        await auditSession(tx, sessionAuditActor(row.id, actor, { ip: request.ip, requestId: request.id }), 'console_session.signed_out', row.id, deps.clock.now());
      }
    });
    clearSessionCookies(request, reply);
    return reply.code(204).send(null);
  });

  r.get('/api/console/sessions', {
    config: signedIn,
    schema: {
      operationId: 'listConsoleSessions',
      tags: TAGS,
      summary: 'Your live console sessions',
      description: 'An operator sees every operator session; a partner sees its own partner\'s sessions. `current` marks the one making this request.',
      response: { 200: jsonResponse('Live sessions, most recently used first', ConsoleSessionListSchema), ...errorResponses(401) },
    },
  }, async (request) => {
    const { row } = deps.auth.current(request);
    return { sessions: (await listSessions(deps, scopeOf(row))).map((session) => toSessionListItem(session, row.id)) };
  });

  r.delete('/api/console/sessions/:id', {
    config: signedIn,
    schema: {
      operationId: 'revokeConsoleSession',
      tags: TAGS,
      summary: 'Revoke one of your console sessions',
      description: 'Ends a session of the list (GET /api/console/sessions) at once; revoking the current one signs out (cookies cleared). Another\'s session: 404. Needs `X-CSRF-Token`.',
      params: SessionIdParams,
      response: { ...NO_CONTENT, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const { row, actor } = deps.auth.current(request);
    const revoked = await inTransaction(deps.pool, async (tx) => {
      if (!(await revokeSession(deps, tx, request.params.id, 'revoked', scopeOf(row)))) return false;
      await auditSession(tx, sessionAuditActor(row.id, actor, { ip: request.ip, requestId: request.id }), 'console_session.revoked', request.params.id, deps.clock.now());
      return true;
    });
    if (!revoked) throw new ApiError('NOT_FOUND', `no live session ${request.params.id}`);
    if (request.params.id === row.id) clearSessionCookies(request, reply);
    return reply.code(204).send(null);
  });

  r.post('/api/console/wallet/challenges', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'createWalletChallenge',
      tags: TAGS,
      summary: 'A message for a wallet to sign, to sign in',
      description:
        'Ethereum: a full EIP-4361 (Sign-In with Ethereum) message; sui: a personal message with the same fields. It names this site (the request\'s Host, checked again at sign-in), ' +
        'holds a single-use nonce and expires in 5 minutes. Sign it and POST it to /api/console/sessions (`method` `siwe` or `sui`). Only wallets an operator linked to a partner can sign in.',
      body: WalletChallengeCreateSchema,
      response: { 201: jsonResponse('The challenge', WalletChallengeSchema), ...errorResponses(400) },
    },
  }, async (request, reply) => {
    const host = request.host ?? '';
    const result = await createWalletChallenge(deps, request.body, { domain: host, uri: `${request.protocol}://${host}${CONSOLE_HOME}` });
    if (!result.ok) throw new ApiError('VALIDATION_FAILED', result.message);
    reply.code(201);
    return { nonce: result.value.nonce, message: result.value.message, expires_at: result.value.expiresAt.toISOString() };
  });

  const provider = () => {
    if (!deps.provider) throw new ApiError('NOT_FOUND', 'OIDC sign-in is not configured (OIDC_ISSUER)');
    return deps.provider;
  };

  r.get('/api/console/oidc/start', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'startOidcSignIn',
      tags: TAGS,
      summary: 'Sign in with the operator\'s OpenID provider (redirects there)',
      description:
        'Open it in the browser: redirects to the provider (authorization code with PKCE; state, nonce and verifier kept server-side for 10 minutes, bound to this browser by the `veridity_oidc` cookie). ' +
        '`return_to`: a path under /console/ to land on afterwards. 404 when OIDC is not configured. When the provider cannot be reached, redirects to ' +
        '/console/sign-in?sign_in_error=PROVIDER_UNAVAILABLE&request_id=<id>, as the callback does with its refusals.',
      querystring: OidcStartQuery,
      response: { ...REDIRECT, ...errorResponses(400, 404) },
    },
  }, async (request, reply) => {
    const started = await startOidcSignIn({ ...deps, provider: provider() }, request.query.return_to);
    if (!started.ok) {
      request.log.warn({ reason: started.reason }, `OIDC sign-in not started: ${started.message}`);
      return reply.redirect(signInErrorPage(started.reason, request.id), 302);
    }
    setOidcLoginCookie(request, reply, started.browserToken, OIDC_LOGIN_TTL_MS / 1000);
    return reply.redirect(started.redirectTo, 302);
  });

  r.get('/api/console/oidc/callback', {
    config: { access: access.publicRateLimited },
    schema: {
      operationId: 'finishOidcSignIn',
      tags: TAGS,
      summary: 'Where the OpenID provider sends the browser back (sets the session cookies)',
      description:
        'The provider\'s redirect (OIDC_REDIRECT_URL): the code is exchanged, the ID token verified, the role read (`operator` in OIDC_ROLE_CLAIM makes an operator; else the partner an operator linked the identity to). ' +
        'The provider\'s tokens stay server-side, sealed. Redirects to /console/ (or `return_to`) with the session cookies; on failure to /console/sign-in?sign_in_error=<reason>&request_id=<id> ' +
        '(`LOGIN_UNKNOWN`, `PROVIDER_REFUSED`, `PROVIDER_UNAVAILABLE`, `TOKEN_EXCHANGE_FAILED`, `NO_ROLE`, `PARTNER_DISABLED`).',
      querystring: OidcCallbackQuery,
      response: { ...REDIRECT, ...errorResponses(400, 404) },
    },
  }, async (request, reply) => {
    const settings = provider();
    const browserToken = readCookie(request, OIDC_LOGIN_COOKIE);
    clearOidcLoginCookie(request, reply);
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const result = await finishOidcSignIn({ ...deps, provider: settings }, browserToken, query, { origin: originOf(request), requestId: request.id });
    if (!result.ok) {
      request.log.info({ reason: result.reason }, `OIDC sign-in refused: ${result.message}`);
      return reply.redirect(signInErrorPage(result.reason, request.id), 302);
    }
    setSessionCookies(request, reply, result.session);
    return reply.redirect(result.returnTo ?? CONSOLE_HOME, 302);
  });
}
