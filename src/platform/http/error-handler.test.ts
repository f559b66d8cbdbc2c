import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { DrizzleQueryError } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createLogger } from '#platform/logger.ts';
import { registerErrorHandling } from './error-handler.ts';

function appLoggingTo(lines: string[]) {
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } }));
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, disableRequestLogging: true });
  registerErrorHandling(app);
  return app;
}

test('a burst of unexpected errors: generic 500s, a few short log lines without the error fields, never a flood', async () => {
  const lines: string[] = [];
  const app = appLoggingTo(lines);
  app.get('/boom', async () => {
    throw Object.assign(new Error('insert failed'), { params: ['vk_secret_key_hash', 'sealed-webhook-secret'], client: { password: 'pg-password' } });
  });
  for (let i = 0; i < 50; i++) {
    const response = await app.inject({ url: '/boom' });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(Object.keys(response.json()).sort(), ['error', 'error_code', 'request_id']);
    assert.equal(response.json().error, 'internal error');
  }
  const logged = lines.filter((line) => line.includes('unhandled error'));
  assert.ok(logged.length >= 1 && logged.length <= 5, `${logged.length} lines for 50 errors`);
  const text = lines.join('');
  for (const secret of ['vk_secret_key_hash', 'sealed-webhook-secret', 'pg-password']) assert.equal(text.includes(secret), false, secret);
  for (const line of logged) assert.ok(line.length < 1_000, `a ${line.length}-byte log line`);
  await app.close();
});

test('an unreachable database is a 503 DATABASE_UNAVAILABLE with Retry-After, not a 500', async () => {
  const lines: string[] = [];
  const app = appLoggingTo(lines);
  app.get('/db', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/terminated', async () => {
    throw new Error('Failed query', { cause: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) });
  });
  for (const url of ['/db', '/terminated']) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 503, url);
    assert.equal(response.json().error_code, 'DATABASE_UNAVAILABLE');
    assert.equal(response.headers['retry-after'], '2');
  }
  await app.close();
});

test('a failed query logs its SQL text at most, never its parameters', async () => {
  const lines: string[] = [];
  const app = appLoggingTo(lines);
  app.get('/query', async () => {
    // drizzle puts the parameters in the message too.
    throw new DrizzleQueryError('insert into api_clients (key_hash) values ($1)', ['9f86d081884c7d659a2feaa0c55ad015'], new Error('duplicate key'));
  });
  assert.equal((await app.inject({ url: '/query' })).statusCode, 500);
  assert.equal(lines.join('').includes('9f86d081884c7d659a2feaa0c55ad015'), false);
  await app.close();
});
