import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createVeridityClient } from './client.ts';

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };
/** What the server does with the n-th request of a test: answer, or drop the connection. */
type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'drop';

let server: http.Server;
let baseUrl: string;
let seen: Seen[];
let replies: Reply[];

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const reply = replies.shift() ?? { status: 200, body: {} };
      if (reply === 'drop') return req.socket.destroy();
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  replies = [];
});

const quick = { retries: 3, baseDelayMs: 1, maxDelayMs: 1_000 };
const requestBody = { claim_type: 'age_over_18' as const, verifier_domain: 'bank.example' };

describe('credentials and Idempotency-Key', () => {
  test('the API key on every call; a fresh key on each unsafe call, none on a safe one; a given key is kept', async () => {
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: quick });
    await client.GET('/api/v1/me');
    await client.createProofRequest(requestBody);
    await client.createProofRequest(requestBody);
    await client.createProofRequest(requestBody, { idempotencyKey: 'mine-1' });
    await client.DELETE('/api/v1/tasks/{id}', { params: { path: { id: 'tsk_1' } } });
    assert.deepEqual(seen.map((request) => request.headers['x-api-key']), Array(5).fill('vk_test'));
    const keys = seen.map((request) => request.headers['idempotency-key']);
    assert.equal(keys[0], undefined);
    assert.match(String(keys[1]), /^[0-9a-f-]{36}$/);
    assert.notEqual(keys[1], keys[2]);
    assert.equal(keys[3], 'mine-1');
    assert.match(String(keys[4]), /^[0-9a-f-]{36}$/);
    assert.equal(seen[0]!.headers.authorization, undefined);
  });

  test('an admin token goes as a bearer token; both credentials at once are refused', async () => {
    const operator = createVeridityClient({ baseUrl, adminToken: 'vat_test' });
    await operator.GET('/api/admin/clients');
    assert.equal(seen[0]!.headers.authorization, 'Bearer vat_test');
    assert.equal(seen[0]!.headers['x-api-key'], undefined);
    assert.throws(() => createVeridityClient({ baseUrl, apiKey: 'a', adminToken: 'b' }), TypeError);
  });
});

describe('retries', () => {
  test('429 and 503 are retried as Retry-After says (seconds, or an HTTP date), with the same key and body', async () => {
    replies = [
      { status: 429, headers: { 'retry-after': '0' }, body: { error_code: 'RATE_LIMITED' } },
      { status: 503, headers: { 'retry-after': new Date(Date.now() - 60_000).toUTCString() } },
      { status: 201, body: { id: 'req_1' } },
    ];
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: quick });
    const { data, response } = await client.createProofRequest(requestBody);
    assert.equal(response.status, 201);
    assert.deepEqual(data, { id: 'req_1' });
    assert.equal(seen.length, 3);
    assert.equal(new Set(seen.map((request) => request.headers['idempotency-key'])).size, 1);
    assert.deepEqual(seen.map((request) => JSON.parse(request.body)), Array(3).fill(requestBody));
  });

  test('a Retry-After beyond maxDelayMs is not waited for: the answer comes back as it is', async () => {
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: quick });
    for (const retryAfter of ['3600', new Date(Date.now() + 3_600_000).toUTCString()]) {
      seen = [];
      replies = [{ status: 429, headers: { 'retry-after': retryAfter }, body: { error_code: 'RATE_LIMITED' } }];
      const { error, response } = await client.GET('/api/v1/me');
      assert.equal(response.status, 429);
      assert.equal((error as { error_code: string }).error_code, 'RATE_LIMITED');
      assert.equal(seen.length, 1, retryAfter);
    }
  });

  test('without Retry-After it backs off, and gives up after `retries`; 0 turns retrying off', async () => {
    replies = Array(5).fill({ status: 503 });
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: { ...quick, retries: 2 } });
    assert.equal((await client.GET('/api/v1/me')).response.status, 503);
    assert.equal(seen.length, 3);

    seen = [];
    replies = [{ status: 503 }];
    assert.equal((await createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: 0 }).GET('/api/v1/me')).response.status, 503);
    assert.equal(seen.length, 1);
  });

  test('a dropped connection is retried for a safe call and for an operation that honours the key, never for one that does not', async () => {
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: quick });
    replies = ['drop', { status: 200, body: { client_id: 'cli_1' } }];
    assert.deepEqual((await client.GET('/api/v1/me')).data, { client_id: 'cli_1' });
    assert.equal(seen.length, 2);

    seen = [];
    replies = ['drop', { status: 201, body: { id: 'req_2' } }];
    assert.equal((await client.createProofRequest(requestBody)).response.status, 201);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.headers['idempotency-key'], seen[1]!.headers['idempotency-key']);

    // POST /api/v1/proofs/bulk takes no Idempotency-Key: a second send could submit twice.
    seen = [];
    replies = ['drop', { status: 202 }];
    await assert.rejects(client.POST('/api/v1/proofs/bulk', { body: { items: [] } as never }));
    assert.equal(seen.length, 1);
  });
});

describe('waitForTask', () => {
  test('asks until the task is finished, and says so when it is not within timeoutMs or cannot be read', async () => {
    const client = createVeridityClient({ baseUrl, apiKey: 'vk_test', retries: quick });
    replies = [{ status: 200, body: { id: 'tsk_1', status: 'pending' } }, { status: 200, body: { id: 'tsk_1', status: 'active' } }, { status: 200, body: { id: 'tsk_1', status: 'failed', errorCode: 'COLLATERAL_EXPIRED' } }];
    const finished = await client.waitForTask('tsk_1', { timeoutMs: 60_000 });
    assert.deepEqual(finished, { ok: true, task: { id: 'tsk_1', status: 'failed', errorCode: 'COLLATERAL_EXPIRED' } });
    assert.deepEqual(seen.map((request) => request.url), Array(3).fill('/api/v1/tasks/tsk_1'));

    replies = Array(100).fill({ status: 200, body: { id: 'tsk_2', status: 'pending' } });
    const waited = await client.waitForTask('tsk_2', { timeoutMs: 200 });
    assert.equal(waited.ok ? 'finished' : waited.code, 'TIMEOUT');

    replies = [{ status: 404, body: { error: 'no such task', error_code: 'NOT_FOUND', request_id: 'req_x' } }];
    const missing = await client.waitForTask('tsk_3');
    assert.deepEqual(missing, { ok: false, code: 'HTTP_ERROR', status: 404, error: { error: 'no such task', error_code: 'NOT_FOUND', request_id: 'req_x' } });
  });
});
