import type { FastifyRequest } from 'fastify';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import type { AccessHooks } from '#platform/http/route-access.ts';
import { authenticateSession } from './authenticate-session.ts';
import type { CredentialChecks, SessionActor } from './check-session-credential.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import type { SessionRow } from './session-row.ts';
import { csrfTokenOf } from './session-tokens.ts';

export type ConsoleSessionAuth = {
  /** For the route-access hook: the cookie, and the session it names, as the caller of operator, partner and console routes. */
  hooks: NonNullable<AccessHooks['session']>;
  /** The session a console route's caller was authenticated with. */
  current(request: FastifyRequest): { row: SessionRow; actor: SessionActor };
};

/**
 * Authentication by the `veridity_session` cookie: the live session it names (see
 * authenticateSession), of the role the route needs, becomes the request's operator
 * (`adminTokenId`: the admin token it signed in with, else the session id, for the audit log and
 * idempotency keys) or partner (`client`: scopes and rate limit as with its API key).
 */
export function consoleSessionAuth(deps: { pool: Pool; clock: Clock } & CredentialChecks): ConsoleSessionAuth {
  const sessions = new WeakMap<FastifyRequest, { row: SessionRow; actor: SessionActor }>();
  return {
    hooks: {
      present: (request) => readCookie(request, SESSION_COOKIE) !== undefined,
      authenticate: (role) => async function authenticateConsoleSession(request) {
        const token = readCookie(request, SESSION_COOKIE);
        if (!token) throw new ApiError('UNAUTHORIZED', 'no console session: sign in (POST /api/console/sessions)');
        const found = await authenticateSession(deps, token);
        if (!found.ok) throw new ApiError('UNAUTHORIZED', found.message);
        const { row, actor } = found;
        if (role && row.role !== role) throw new ApiError('UNAUTHORIZED', `this console session is a${row.role === 'operator' ? 'n operator' : ' partner'}'s: the route is for ${role === 'operator' ? 'operators' : 'partners'}`);
        request.consoleSession = { id: row.id, role: row.role, clientId: row.clientId, method: row.method, csrfToken: csrfTokenOf(token) };
        if (actor.role === 'operator') request.adminTokenId = actor.adminTokenId ?? row.id;
        else request.client = actor.client;
        sessions.set(request, { row, actor });
      },
    },
    current(request) {
      const session = sessions.get(request);
      if (!session) throw new ApiError('UNAUTHORIZED', 'no console session: sign in (POST /api/console/sessions)');
      return session;
    },
  };
}
