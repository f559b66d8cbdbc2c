import { describe, expect, test } from 'vitest';
import { createSessionFetch, CSRF_HEADER } from './session-fetch.ts';

const ORIGIN = 'https://console.test';

/** A server for the session fetch to talk to: records what it was sent, answers from `handle`. */
function server(handle: (request: Request, seen: Request[]) => Response) {
  const seen: Request[] = [];
  return {
    seen,
    fetch: async (request: Request) => {
      seen.push(request);
      return handle(request, seen);
    },
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const path = (request: Request) => `${request.method} ${new URL(request.url).pathname}`;

describe('the session fetch', () => {
  test('puts the CSRF token on state-changing requests only', async () => {
    const api = server(() => json(200, {}));
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => {} });
    sessionFetch.setCsrfToken('csrf-1');
    await sessionFetch(new Request(`${ORIGIN}/api/admin/clients`));
    await sessionFetch(new Request(`${ORIGIN}/api/admin/clients`, { method: 'POST', body: '{}' }));
    await sessionFetch(new Request(`${ORIGIN}/api/admin/clients/cli_1`, { method: 'DELETE' }));
    expect(api.seen.map((request) => request.headers.get(CSRF_HEADER))).toEqual([null, 'csrf-1', 'csrf-1']);
  });

  test('on 401: refreshes once, then repeats the request with its body and the new token', async () => {
    let refreshed = false;
    const api = server((request) => {
      if (path(request) === 'POST /api/console/session/refresh') {
        refreshed = true;
        return json(200, { session: { id: 's' }, csrf_token: 'csrf-2' });
      }
      return refreshed ? json(201, { ok: true }) : json(401, { error: 'expired', error_code: 'UNAUTHORIZED', request_id: 'req_1' });
    });
    let lost = 0;
    const refreshedBodies: unknown[] = [];
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => lost++, onRefreshed: (body) => refreshedBodies.push(body) });
    sessionFetch.setCsrfToken('csrf-1');
    const response = await sessionFetch(new Request(`${ORIGIN}/api/admin/clients`, { method: 'POST', body: '{"name":"A"}' }));
    expect(response.status).toBe(201);
    expect(api.seen.map(path)).toEqual(['POST /api/admin/clients', 'POST /api/console/session/refresh', 'POST /api/admin/clients']);
    expect(api.seen.map((request) => request.headers.get(CSRF_HEADER))).toEqual(['csrf-1', 'csrf-1', 'csrf-2']);
    expect(await api.seen[2]!.text()).toBe('{"name":"A"}');
    expect(refreshedBodies).toEqual([{ session: { id: 's' }, csrf_token: 'csrf-2' }]);
    expect(lost).toBe(0);
  });

  test('another transport (an upload) gets the same token and refresh; the refresh goes the usual way', async () => {
    let refreshed = false;
    const api = server(() => {
      refreshed = true;
      return json(200, { csrf_token: 'csrf-2' });
    });
    const upload = server(() => (refreshed ? json(201, { key: 'k' }) : json(401, { error: 'expired', error_code: 'UNAUTHORIZED', request_id: 'req_1' })));
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => {} });
    sessionFetch.setCsrfToken('csrf-1');
    const response = await sessionFetch.sendingWith(upload.fetch)(new Request(`${ORIGIN}/api/admin/artifacts/k`, { method: 'PUT', body: 'bytes' }));
    expect(response.status).toBe(201);
    expect(api.seen.map(path)).toEqual(['POST /api/console/session/refresh']);
    expect(upload.seen.map((request) => request.headers.get(CSRF_HEADER))).toEqual(['csrf-1', 'csrf-2']);
    expect(await upload.seen[1]!.text()).toBe('bytes');
  });

  test('when the refresh fails too, the session is lost and the 401 is the answer', async () => {
    const api = server(() => json(401, { error: 'no session', error_code: 'UNAUTHORIZED', request_id: 'req_2' }));
    let lost = 0;
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => lost++ });
    const response = await sessionFetch(new Request(`${ORIGIN}/api/v1/me`));
    expect(response.status).toBe(401);
    expect(api.seen.map(path)).toEqual(['GET /api/v1/me', 'POST /api/console/session/refresh']);
    expect(lost).toBe(1);
  });

  test('requests failing together share one refresh (the refresh token rotates on use)', async () => {
    let refreshes = 0;
    const api = server((request, seen) => {
      if (path(request) === 'POST /api/console/session/refresh') {
        refreshes++;
        return json(200, { csrf_token: 'csrf-3' });
      }
      return seen.some((r) => path(r) === 'POST /api/console/session/refresh') ? json(200, {}) : json(401, {});
    });
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => {} });
    const answers = await Promise.all(['/a', '/b', '/c'].map((p) => sessionFetch(new Request(`${ORIGIN}/api/v1${p}`))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  test('wrong credentials at sign-in are not a session to refresh', async () => {
    const api = server(() => json(401, { error: 'invalid admin token', error_code: 'UNAUTHORIZED', request_id: 'req_3' }));
    let lost = 0;
    const sessionFetch = createSessionFetch({ fetch: api.fetch, onSessionLost: () => lost++ });
    const response = await sessionFetch(new Request(`${ORIGIN}/api/console/sessions`, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(api.seen).toHaveLength(1);
    expect(lost).toBe(0);
  });
});
