import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_TTL_MS, REFRESH_TTL_MS } from './session-tokens.ts';

export const SESSION_COOKIE = 'veridity_session';
export const REFRESH_COOKIE = 'veridity_refresh';
/** Binds an OIDC sign-in to the browser that started it. */
export const OIDC_LOGIN_COOKIE = 'veridity_oidc';

/** Sent to the session routes only (refresh and sign-out among them), never to the rest of the API. */
const REFRESH_PATH = '/api/console/session';
const OIDC_PATH = '/api/console/oidc';

/** A cookie of the request (parsed from the header by @fastify/cookie in onRequest). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const value = request.cookies?.[name];
  return value ? value : undefined;
}

/** `Secure` when the request came over https (or a trusted proxy says so, with TRUST_PROXY). */
const secure = (request: FastifyRequest) => request.protocol === 'https';

export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, tokens: { access: string; refresh: string }): void {
  reply.setCookie(SESSION_COOKIE, tokens.access, { httpOnly: true, secure: secure(request), sameSite: 'lax', path: '/', maxAge: ACCESS_TTL_MS / 1000 });
  reply.setCookie(REFRESH_COOKIE, tokens.refresh, { httpOnly: true, secure: secure(request), sameSite: 'strict', path: REFRESH_PATH, maxAge: REFRESH_TTL_MS / 1000 });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: secure(request), sameSite: 'lax', path: '/' });
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: secure(request), sameSite: 'strict', path: REFRESH_PATH });
}

/** Lax: the identity provider's redirect back is a top-level navigation from its site. */
export function setOidcLoginCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(OIDC_LOGIN_COOKIE, value, { httpOnly: true, secure: secure(request), sameSite: 'lax', path: OIDC_PATH, maxAge: maxAgeSeconds });
}

export function clearOidcLoginCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(OIDC_LOGIN_COOKIE, { httpOnly: true, secure: secure(request), sameSite: 'lax', path: OIDC_PATH });
}
