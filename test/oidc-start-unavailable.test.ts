/**
 * `GET /api/console/oidc/start` is a browser navigation: when the OpenID provider cannot be reached
 * at first contact (discovery fails), the browser lands on the console's sign-in page with the
 * reason and the request id, never on a JSON error page.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/test-app.ts';

const CALLBACK = 'http://localhost/api/console/oidc/callback';
let t: TestApp;

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  t = await createTestApp({
    console: { siweChainId: 1, oidc: { issuer: `http://127.0.0.1:${await closedPort()}`, clientId: 'veridity', clientSecret: 'secret', roleClaim: 'veridity_role', scopes: 'openid email', redirectUrl: CALLBACK } },
  });
});
after(async () => t.close());

test('an unreachable provider sends the browser to the sign-in page with PROVIDER_UNAVAILABLE and the request id', async () => {
  const start = await t.app.inject({ method: 'GET', url: '/api/console/oidc/start?return_to=/console/webhooks' });
  assert.equal(start.statusCode, 302, start.body);
  const requestId = String(start.headers['x-request-id']);
  assert.match(requestId, /^req_/);
  assert.equal(start.headers.location, `/console/sign-in?sign_in_error=PROVIDER_UNAVAILABLE&request_id=${requestId}`);
  assert.equal(start.cookies.find((c) => c.name === 'veridity_oidc'), undefined, 'no login was started');
  assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM console_oidc_logins')).rows[0].n, 0);
  // The log line of the refusal carries the request id the page shows.
  assert.ok(t.logs().split('\n').some((line) => line.includes(requestId) && line.includes('"reason":"PROVIDER_UNAVAILABLE"')), 'the log line carries the request id shown');
});
