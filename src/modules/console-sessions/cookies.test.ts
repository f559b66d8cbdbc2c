import assert from 'node:assert/strict';
import { test } from 'node:test';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { readCookie, SESSION_COOKIE, setSessionCookies } from './cookies.ts';

test('the session cookies are Secure when the request came over https, as a trusted proxy says, and only then', async () => {
  for (const trustProxy of [true, false]) {
    const app = Fastify({ trustProxy });
    await app.register(cookie);
    app.get('/', async (request, reply) => {
      setSessionCookies(request, reply, { access: 'a', refresh: 'r' });
      return { seen: readCookie(request, SESSION_COOKIE) ?? null };
    });
    const overHttps = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https', cookie: `${SESSION_COOKIE}=abc` } });
    assert.deepEqual(overHttps.cookies.map((c) => [c.name, c.secure === true]), [['veridity_session', trustProxy], ['veridity_refresh', trustProxy]]);
    assert.deepEqual(overHttps.json(), { seen: 'abc' });
    const overHttp = await app.inject({ method: 'GET', url: '/' });
    assert.ok(overHttp.cookies.every((c) => c.secure !== true));
    assert.deepEqual(overHttp.json(), { seen: null });
    await app.close();
  }
});
