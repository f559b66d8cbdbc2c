import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '#platform/http/error-handler.ts';
import { registerConsoleRoutes } from './serve-console.ts';

let scratch: string;
let dist: string;
let built: FastifyInstance;
let unbuilt: FastifyInstance;

const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc123.js"></script>';

async function appServing(distDir: string): Promise<FastifyInstance> {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } }); // as src/http-app.ts
  registerErrorHandling(app);
  await app.register(helmet, { global: true });
  await registerConsoleRoutes(app, { distDir });
  await app.ready();
  return app;
}

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-console-'));
  dist = path.join(scratch, 'dist');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), INDEX);
  await writeFile(path.join(dist, 'assets/index-abc123.js'), 'console.log(1)');
  await writeFile(path.join(dist, 'theme-init.js'), '/* theme */');
  await writeFile(path.join(dist, '.source-hash'), 'stamp');
  await writeFile(path.join(scratch, 'secret.txt'), 'outside the build');
  built = await appServing(dist);
  unbuilt = await appServing(path.join(scratch, 'missing'));
});
after(async () => {
  await built?.close();
  await unbuilt?.close();
  await rm(scratch, { recursive: true, force: true });
});

const get = (url: string, app = built, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('the built console', () => {
  test('hashed assets: cached for a year, immutable', async () => {
    const response = await get('/console/assets/index-abc123.js');
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, 'console.log(1)');
    assert.match(String(response.headers['content-type']), /javascript/);
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('index.html and unhashed files: revalidated on every load (ETag, 304)', async () => {
    for (const url of ['/console/', '/console/theme-init.js']) {
      const response = await get(url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
      const etag = String(response.headers.etag);
      assert.ok(etag, url);
      assert.equal((await get(url, built, { 'if-none-match': etag })).statusCode, 304, url);
    }
    assert.equal((await get('/console/')).body, INDEX);
  });

  test("the app's routes fall back to index.html, and so do /console and /console/", async () => {
    for (const url of ['/console', '/console/', '/console/partners', '/console/check?x=1', '/console/webhooks/deep/link']) {
      const response = await get(url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, INDEX, url);
      assert.match(String(response.headers['content-type']), /^text\/html/, url);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
    }
    assert.equal((await get('/console')).body, INDEX);
  });

  test('a missing hashed asset is 404 in the error contract, not the app', async () => {
    const response = await get('/console/assets/index-old999.js');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error_code, 'NOT_FOUND');
    assert.match(response.json().request_id, /./);
  });

  test('nothing outside the build, and no dot files, is ever served', async () => {
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/%2e%2e/%2e%2e/secret.txt', '/console/.source-hash', '/console/assets/.source-hash']) {
      const response = await get(url);
      assert.doesNotMatch(response.body, /outside the build|stamp/, url);
      assert.ok([200, 404].includes(response.statusCode), `${url}: ${response.statusCode}`);
      if (response.statusCode === 200) assert.equal(response.body, INDEX, url);
    }
  });

  test("the console's own CSP: scripts and styles from this origin only, no inline code, never framed", async () => {
    const csp = String((await get('/console/partners')).headers['content-security-policy']);
    const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('style-src'), ["'self'"]);
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });
});

test('before the console is built: 503 NOT_READY saying how to build it', async () => {
  for (const url of ['/console/', '/console/partners', '/console/assets/index-abc123.js']) {
    const response = await get(url, unbuilt);
    assert.equal(response.statusCode, 503, url);
    const body = response.json();
    assert.equal(body.error_code, 'NOT_READY');
    assert.equal(body.reason, 'CONSOLE_NOT_BUILT');
    assert.match(body.error, /npm run build:console/);
    assert.match(body.request_id, /./);
  }
});
