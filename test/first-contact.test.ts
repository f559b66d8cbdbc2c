/** What a new user meets first: `GET /` leads somewhere, and probes do not flood the info log. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => (t = await createTestApp()));
after(async () => t.close());

test('GET / links the docs and the holder page: HTML for a browser, JSON otherwise', async () => {
  const page = await t.app.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml' } });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.body, /href="\/docs"/);
  assert.match(page.body, /href="\/prove"/);
  assert.match(page.body, /href="\/console\/"/);
  const json = await t.app.inject({ url: '/' });
  assert.equal(json.statusCode, 200);
  assert.equal(json.json().links['/docs'], 'API reference');
  for (const href of Object.keys(json.json().links)) assert.notEqual((await t.app.inject({ url: href })).statusCode, 404, href);
});

test('health and metrics polls are logged at debug, other requests at info', async () => {
  const { api_key } = await createPartner(t);
  const before = t.logs().length;
  for (const url of ['/healthz', '/health', '/readyz', '/metrics']) await t.app.inject({ url });
  await t.app.inject({ url: '/api/v1/me', headers: { 'x-api-key': api_key } });
  const lines = t.logs().slice(before).trim().split('\n').map((line) => JSON.parse(line) as { msg: string; req?: { url: string }; level: number });
  const incoming = lines.filter((line) => line.msg === 'incoming request').map((line) => line.req?.url);
  assert.deepEqual(incoming, ['/api/v1/me']);
});
