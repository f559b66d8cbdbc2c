/**
 * Bounded resources at the socket: slow clients are cut off, one IP cannot hold every
 * connection, and beyond the in-flight cap requests are shed with 503 + Retry-After
 * while liveness still answers. Real sockets against a real listening app.
 */
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let port: number;
let apiKey: string;

const LIMITS = { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, maxConnectionsPerIp: 4, maxInFlight: 2 };

before(async () => {
  t = await createTestApp({ http: LIMITS });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
  apiKey = (await createPartner(t)).api_key;
});
after(async () => t.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server sent until it closed the socket (or `waitMs` passed: then `closed` is false). */
function readUntilClosed(socket: Socket, waitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), waitMs);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

/** Waits for the server to have seen the closes (the per-IP count is released on them). */
async function untilServerConnections(expected: number): Promise<void> {
  const count = () => new Promise<number>((resolve, reject) => t.app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
  while ((await count()) > expected) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A request whose body never finishes: it stays in flight until the request timeout. */
async function stalledRequest(): Promise<Socket> {
  const socket = await open();
  socket.write(`POST /api/v1/requests HTTP/1.1\r\nhost: x\r\nx-api-key: ${apiKey}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"claim`);
  return socket;
}

/** One request on a connection of its own (no keep-alive pool holding sockets between tests). */
function get(path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port, path, agent: false, headers: { 'x-api-key': apiKey } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
  });
}

describe('slow clients', () => {
  test('a body that stops arriving is cut off with 408 at the request timeout', async () => {
    const socket = await stalledRequest();
    const { text, closed } = await readUntilClosed(socket, 10_000);
    assert.ok(closed, 'the server kept the stalled request open');
    assert.match(text, /^HTTP\/1\.1 408/);
  });

  test('headers that never finish are cut off at the headers timeout', async () => {
    const socket = await open();
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ');
    const { closed } = await readUntilClosed(socket, 10_000);
    assert.ok(closed, 'the server kept the half-sent headers open');
  });
});

describe('connections per IP', () => {
  test('beyond the cap a new connection is closed at once; closing one frees a place', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerIp }, open));
    const extra = await open();
    const refused = await readUntilClosed(extra, 5_000);
    assert.ok(refused.closed, 'the connection over the cap was accepted');
    assert.equal(refused.text, '');
    held.pop()!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await get('/healthz')).status, 200);
    for (const socket of held) socket.destroy();
    await untilServerConnections(0);
  });
});

describe('load shedding', () => {
  test('beyond the in-flight cap: 503 OVERLOADED with Retry-After; liveness still answers; recovery once they finish', async () => {
    const stalled = await Promise.all(Array.from({ length: LIMITS.maxInFlight }, stalledRequest));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const shed = await get('/api/v1/me');
    assert.equal(shed.status, 503);
    assert.equal(shed.body.error_code, 'OVERLOADED');
    assert.match(String(shed.body.request_id), /^req_/);
    assert.equal(shed.headers['retry-after'], '1');
    assert.equal((await get('/healthz')).status, 200);
    for (const socket of stalled) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await get('/api/v1/me')).status, 200);
  });
});
