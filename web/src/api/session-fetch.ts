/**
 * The one fetch every console call goes through (the typed client's and the session calls'):
 * it sends the session cookie, puts the CSRF token on state-changing requests, and on a 401
 * refreshes the session once (the access part lasts 15 minutes, the refresh part 30 days)
 * and repeats the request; when the refresh fails too, the session is gone: `onSessionLost`.
 * The token is set here, at send time, rather than when the request is built, because a
 * refresh rotates it and the repeated request must carry the new one.
 */

export const CSRF_HEADER = 'x-csrf-token';
export const REFRESH_PATH = '/api/console/session/refresh';
export const SIGN_IN_PATH = '/api/console/sessions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type SessionFetchOptions = {
  /** Called with the body of a successful refresh (it carries the new CSRF token). */
  onRefreshed?: (body: unknown) => void;
  onSessionLost: () => void;
  fetch?: (request: Request) => Promise<Response>;
};

export type SessionFetch = ((request: Request) => Promise<Response>) & {
  /** The CSRF token of the current session (from sign-in, GET /api/console/session or a refresh). */
  setCsrfToken(token: string | undefined): void;
  /** The same session handling (token, one refresh on 401) over another transport, e.g. one reporting upload progress. */
  sendingWith(send: (request: Request) => Promise<Response>): (request: Request) => Promise<Response>;
};

/** Sign-in and the refresh itself answer 401 for wrong credentials: nothing to refresh there. */
function isSessionEndpoint(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return path === REFRESH_PATH || (path === SIGN_IN_PATH && request.method === 'POST');
}

export function createSessionFetch(options: SessionFetchOptions): SessionFetch {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let csrfToken: string | undefined;
  let refreshing: Promise<boolean> | undefined;

  const withCsrf = (request: Request): Request => {
    if (csrfToken && !SAFE_METHODS.has(request.method)) request.headers.set(CSRF_HEADER, csrfToken);
    return request;
  };

  async function refresh(origin: string): Promise<boolean> {
    const response = await send(withCsrf(new Request(new URL(REFRESH_PATH, origin), { method: 'POST', credentials: 'include' })));
    if (!response.ok) return false;
    const body: unknown = await response.json().catch(() => undefined);
    const token = (body as { csrf_token?: unknown } | undefined)?.csrf_token;
    if (typeof token === 'string') csrfToken = token;
    options.onRefreshed?.(body);
    return true;
  }

  const sessionFetchVia = (transport: (request: Request) => Promise<Response>) => async (request: Request): Promise<Response> => {
    const repeat = request.clone();
    const response = await transport(withCsrf(request));
    if (response.status !== 401 || isSessionEndpoint(request)) return response;
    // Requests failing together share one refresh (the refresh token rotates on use).
    refreshing ??= refresh(new URL(request.url).origin).finally(() => {
      refreshing = undefined;
    });
    if (!(await refreshing.catch(() => false))) {
      options.onSessionLost();
      return response;
    }
    return transport(withCsrf(repeat));
  };
  return Object.assign(sessionFetchVia(send), {
    setCsrfToken: (token: string | undefined) => void (csrfToken = token),
    sendingWith: sessionFetchVia,
  });
}
