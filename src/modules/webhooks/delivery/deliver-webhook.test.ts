import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyWebhook } from '../../../../sdk/webhooks.ts';
import type { WebhookDeliveryOptions, WebhookDeliveryResult } from './deliver-webhook.ts';
import { createWebhookConnections, deliverWebhook, RESPONSE_BODY_LIMIT_BYTES, WEBHOOK_USER_AGENT } from './deliver-webhook.ts';
import { generateWebhookSecret, signWebhook } from './sign-webhook.ts';
import type { HostLookup } from './ssrf-guard.ts';

// ---------------------------------------------------------------------------------------
// Network sentry. These tests must never send a packet outside 127.0.0.0/8 and ::1, even
// if the code under test is broken. Every client socket is announced on a diagnostics
// channel before it connects; the sentry destroys it before any connect() when
//   - `blockAllSockets` is set (tests where no socket may exist at all), or
//   - its DNS answer (the socket's 'lookup' event, one per address, before connecting)
//     contains a non-loopback address.
// Tests assert `sentry.interventions` is empty: the code under test refused by itself.
// ---------------------------------------------------------------------------------------
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;
const sentry = {
  blockAllSockets: false,
  socketsCreated: 0,
  connectionAttempts: [] as string[],
  interventions: [] as string[],
};
const watchSocket = (message: unknown) => {
  const { socket } = message as { socket: Socket };
  sentry.socketsCreated += 1;
  if (sentry.blockAllSockets) {
    sentry.interventions.push('socket created');
    socket.destroy(new Error('test sentry: no socket may be created here'));
    return;
  }
  socket.on('lookup', (error: Error | null, address: string) => {
    if (error === null && !LOOPBACK.test(address)) {
      sentry.interventions.push(`lookup answered ${address}`);
      socket.destroy(new Error(`test sentry: refused to connect to ${address}`));
    }
  });
  socket.on('connectionAttempt', (address: string, port: number) => sentry.connectionAttempts.push(`${address}:${port}`));
};
dc.subscribe('net.client.socket', watchSocket);
after(() => dc.unsubscribe('net.client.socket', watchSocket));
beforeEach(() => {
  sentry.blockAllSockets = false;
  sentry.socketsCreated = 0;
  sentry.connectionAttempts = [];
  sentry.interventions = [];
});
afterEach(() => assert.deepEqual(sentry.interventions, [], 'the sentry had to stop a connection'));

// ---------------------------------------------------------------------------------------
// Loopback receivers
// ---------------------------------------------------------------------------------------
type ReceivedRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer };
type Receiver = {
  port: number;
  url: (path?: string) => string;
  requests: ReceivedRequest[];
  connections: number;
  closedConnections: number;
  close: () => Promise<void>;
};
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function startReceiver(
  respond: (res: http.ServerResponse, request: ReceivedRequest) => void,
  host = '127.0.0.1',
): Promise<Receiver> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      receiver.requests.push(request);
      respond(res, request);
    });
  });
  server.on('connection', (socket) => {
    receiver.connections += 1;
    socket.on('close', () => (receiver.closedConnections += 1));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    port,
    url: (path = '/hooks') => `http://${host}:${port}${path}`,
    requests: [],
    connections: 0,
    closedConnections: 0,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  receivers.push(receiver);
  return receiver;
}

const answer = (status: number, body = '', headers: http.OutgoingHttpHeaders = {}) =>
  (res: http.ServerResponse) => res.writeHead(status, headers).end(body);

/** A lookup that answers from a table, records its calls, and can be delayed. */
function fakeLookup(table: Record<string, string[]>, delayMs = 0): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    if (delayMs > 0) await sleep(delayMs);
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const fixedNow = new Date('2026-03-01T12:00:00Z');
const clock = { now: () => fixedNow };
const lan: WebhookDeliveryOptions = { allowPrivateNetworks: true, clock };
const publicOnly: WebhookDeliveryOptions = { allowPrivateNetworks: false, clock };
const body = JSON.stringify({ event: 'proof.verified', proof_id: 'prf_1', claim_type: 'age_over_18', status: 'verified', ts: fixedNow.toISOString() });

function assertRefused(result: WebhookDeliveryResult, code: string, label: string): void {
  assert.equal(result.outcome, 'refused', label);
  assert.equal(result.error?.code, code, label);
  assert.equal(result.statusCode, undefined, label);
}

// ---------------------------------------------------------------------------------------

test('posts the signed body to a loopback receiver when private networks are allowed', async () => {
  const receiver = await startReceiver(answer(202, 'accepted'));
  const secret = generateWebhookSecret();
  const signature = signWebhook({ id: 'msg_delivery1', timestamp: new Date(), body, secrets: [secret] });
  const result = await deliverWebhook(
    // Fixed headers win over look-alikes from the caller.
    { url: receiver.url('/hooks?tenant=7'), body, headers: { ...signature, 'Content-Type': 'text/plain', 'User-Agent': 'spoof' } },
    lan,
  );

  assert.equal(result.outcome, 'delivered');
  assert.equal(result.statusCode, 202);
  assert.equal(result.error, undefined);
  assert.equal(result.responseBody, 'accepted');
  assert.equal(result.responseBodyTruncated, false);
  assert.equal(result.gone, false);
  assert.equal(result.retryAfterSeconds, undefined);
  assert.ok(Number.isInteger(result.latencyMs) && result.latencyMs >= 0);

  assert.equal(receiver.requests.length, 1);
  const [received] = receiver.requests;
  assert.ok(received);
  assert.equal(received.method, 'POST');
  assert.equal(received.url, '/hooks?tenant=7');
  assert.equal(received.headers['content-type'], 'application/json');
  assert.equal(received.headers['user-agent'], WEBHOOK_USER_AGENT);
  assert.equal(received.headers['content-length'], String(Buffer.byteLength(body)));
  assert.equal(received.body.toString('utf8'), body);
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-veridity-signature'] as const) {
    assert.equal(received.headers[name], signature[name], name);
  }
  // What a partner's server would run on exactly what arrived.
  assert.deepEqual(verifyWebhook(received.body, received.headers, secret), { ok: true, event: JSON.parse(body) });
  assert.deepEqual(sentry.connectionAttempts, [`127.0.0.1:${receiver.port}`]);
});

test('a host name connects to exactly the address its vetted lookup returned, resolved once', async () => {
  // 127.0.0.2 is loopback but not what any real resolver returns for this name.
  const receiver = await startReceiver(answer(200, 'ok'), '127.0.0.2');
  const lookup = fakeLookup({ 'hooks.partner.test': ['127.0.0.2'] });
  const result = await deliverWebhook(
    { url: `http://hooks.partner.test:${receiver.port}/in`, body, headers: {} },
    { ...lan, lookup },
  );
  assert.equal(result.outcome, 'delivered');
  assert.deepEqual(lookup.calls, ['hooks.partner.test']);
  assert.deepEqual(sentry.connectionAttempts, [`127.0.0.2:${receiver.port}`]);
  assert.equal(receiver.requests[0]?.headers.host, `hooks.partner.test:${receiver.port}`);
});

test('with connections, attempts reuse a connection the receiver keeps alive; without, each opens its own', async () => {
  const receiver = await startReceiver(answer(204));
  const connections = createWebhookConnections(4);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await deliverWebhook({ url: receiver.url(), body, headers: {} }, { ...lan, connections })).outcome, 'delivered');
    assert.equal(receiver.connections, 1, 'one kept-alive connection served the three attempts');
    const lookup = fakeLookup({ 'private.partner.test': ['127.0.0.1'] });
    const refused = await deliverWebhook({ url: `http://private.partner.test:${receiver.port}/`, body, headers: {} }, { ...publicOnly, lookup, connections: createWebhookConnections(4) });
    assertRefused(refused, 'ADDRESS_FORBIDDEN', 'a pool of another policy vets its own connections');
    for (let i = 0; i < 2; i++) assert.equal((await deliverWebhook({ url: receiver.url(), body, headers: {} }, lan)).outcome, 'delivered');
    assert.equal(receiver.connections, 3, 'without connections, a fresh one per attempt');
  } finally {
    connections.http.destroy();
  }
});

test('an attempt on a kept-alive connection the receiver drops is made again on a fresh connection', async () => {
  const served = new WeakMap<object, number>();
  const receiver = await startReceiver((res) => {
    const count = (served.get(res.socket!) ?? 0) + 1;
    served.set(res.socket!, count);
    // The second request on a connection finds it closed, as when the receiver's idle timeout fires as it arrives.
    if (count === 2) res.socket!.destroy();
    else res.writeHead(200).end('ok');
  });
  const connections = createWebhookConnections(4);
  try {
    const results = [];
    for (let i = 0; i < 2; i++) results.push(await deliverWebhook({ url: receiver.url(), body, headers: {} }, { ...lan, connections }));
    assert.deepEqual(results.map((result) => [result.outcome, result.statusCode]), [['delivered', 200], ['delivered', 200]]);
    assert.equal(receiver.connections, 2);
    assert.equal(receiver.requests.length, 3, 'the dropped request and its repetition');
  } finally {
    connections.http.destroy();
  }
});

test('refuses forbidden IP literals before any socket exists', async () => {
  const receiver = await startReceiver(answer(200));
  sentry.blockAllSockets = true;
  const lookup = fakeLookup({});
  const port = receiver.port;
  for (const url of [
    `http://127.0.0.1:${port}/`,
    `http://127.9.9.9:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[64:ff9b::7f00:1]:${port}/`,
    `http://2130706433:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://[::]:${port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://10.0.0.1/',
    'http://192.168.0.1/',
    'http://100.64.0.1/',
    'https://[fe80::1]/',
  ]) {
    assertRefused(await deliverWebhook({ url, body, headers: {} }, { ...publicOnly, lookup }), 'ADDRESS_FORBIDDEN', url);
  }
  // Metadata stays out of reach when private networks are allowed.
  for (const url of ['http://169.254.169.254/', 'http://[::ffff:169.254.169.254]/', 'http://[fd00:ec2::254]/']) {
    assertRefused(await deliverWebhook({ url, body, headers: {} }, { ...lan, lookup }), 'ADDRESS_FORBIDDEN', url);
  }
  assert.equal(sentry.socketsCreated, 0);
  assert.equal(receiver.connections, 0);
  assert.deepEqual(lookup.calls, []);
});

test('refuses a host name resolving to a forbidden address before connecting', async () => {
  const receiver = await startReceiver(answer(200));
  const answers = {
    'loopback.partner.test': ['127.0.0.1'], // where the live receiver listens
    'private.partner.test': ['10.0.0.1'],
    'metadata.partner.test': ['169.254.169.254'],
    'mapped.partner.test': ['::ffff:10.0.0.1'],
    'rebinding.partner.test': ['127.0.0.1', '169.254.169.254'],
  };
  const lookup = fakeLookup(answers);
  for (const host of Object.keys(answers)) {
    const result = await deliverWebhook({ url: `http://${host}:${receiver.port}/`, body, headers: {} }, { ...publicOnly, lookup });
    assertRefused(result, 'ADDRESS_FORBIDDEN', host);
  }
  for (const host of ['metadata.partner.test', 'rebinding.partner.test']) {
    const result = await deliverWebhook({ url: `http://${host}:${receiver.port}/`, body, headers: {} }, { ...lan, lookup });
    assertRefused(result, 'ADDRESS_FORBIDDEN', `${host} (private networks allowed)`);
  }
  assert.deepEqual(sentry.connectionAttempts, []);
  assert.equal(receiver.connections, 0);
});

test('does not follow redirects, even to an address that would be refused', async () => {
  for (const status of [301, 302, 307, 308]) {
    const receiver = await startReceiver(answer(status, '', { location: 'http://169.254.169.254/latest/meta-data/' }));
    sentry.connectionAttempts = [];
    const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, lan);
    assert.equal(result.outcome, 'failed');
    assert.equal(result.statusCode, status);
    assert.equal(result.error?.code, 'REDIRECT_NOT_FOLLOWED');
    assert.match(result.error?.message ?? '', /169\.254\.169\.254/);
    assert.deepEqual(sentry.connectionAttempts, [`127.0.0.1:${receiver.port}`]);
    assert.equal(receiver.requests.length, 1);
  }
});

test('times out a receiver that never answers', async () => {
  const receiver = await startReceiver(() => {}); // reads the request, never responds
  const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, { ...lan, timeoutMs: 300 });
  assert.equal(result.outcome, 'failed');
  assert.equal(result.error?.code, 'TIMEOUT');
  assert.equal(result.statusCode, undefined);
  assert.equal(receiver.requests.length, 1);
});

test('the timeout covers name resolution, and a late answer connects nowhere', async () => {
  const receiver = await startReceiver(answer(200));
  const lookup = fakeLookup({ 'slow.partner.test': ['127.0.0.1'] }, 400);
  const result = await deliverWebhook(
    { url: `http://slow.partner.test:${receiver.port}/`, body, headers: {} },
    { ...lan, lookup, timeoutMs: 100 },
  );
  assert.equal(result.error?.code, 'TIMEOUT');
  await sleep(600); // past the late lookup answer
  assert.equal(receiver.connections, 0);
  assert.deepEqual(sentry.connectionAttempts, []);
});

test('a 2xx whose body stalls is still delivered, with the body read so far', async () => {
  const receiver = await startReceiver((res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial'); // and never ends
  });
  const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, { ...lan, timeoutMs: 300 });
  assert.equal(result.outcome, 'delivered');
  assert.equal(result.statusCode, 200);
  assert.equal(result.responseBody, 'partial');
  assert.equal(result.error, undefined);
});

test('keeps at most 1 KiB of the response body, cut at a character boundary', async () => {
  const cases: Array<[string, string, boolean]> = [
    ['a'.repeat(5000), 'a'.repeat(RESPONSE_BODY_LIMIT_BYTES), true],
    ['b'.repeat(RESPONSE_BODY_LIMIT_BYTES), 'b'.repeat(RESPONSE_BODY_LIMIT_BYTES), false],
    // 3-byte characters: 341 fit (1023 bytes); the 342nd is split by the cut and dropped.
    ['€'.repeat(1000), '€'.repeat(341), true],
  ];
  for (const [sent, kept, truncated] of cases) {
    const receiver = await startReceiver(answer(500, sent));
    const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, lan);
    assert.equal(result.responseBody, kept);
    assert.equal(result.responseBodyTruncated, truncated);
    assert.equal(result.error?.code, 'HTTP_ERROR_STATUS');
  }
});

test('stops reading an endless response body once past the limit', { timeout: 5_000 }, async () => {
  const chunk = Buffer.alloc(16 * 1024, 'z');
  const receiver = await startReceiver((res) => {
    res.writeHead(200);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  // With a generous timeout, only aborting the read lets this finish without TIMEOUT.
  const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, { ...lan, timeoutMs: 10_000 });
  assert.equal(result.outcome, 'delivered');
  assert.equal(result.error, undefined);
  assert.equal(result.responseBody.length, RESPONSE_BODY_LIMIT_BYTES);
  assert.equal(result.responseBodyTruncated, true);
  while (receiver.closedConnections < 1) await sleep(10); // the receiver sees the connection dropped
});

test('reports Retry-After on 429 and 503, in seconds or as an HTTP-date', async () => {
  const cases: Array<[number, http.OutgoingHttpHeaders, number | undefined]> = [
    [429, { 'retry-after': '120' }, 120],
    [503, { 'retry-after': new Date(fixedNow.getTime() + 90_000).toUTCString() }, 90],
    [503, { 'retry-after': 'later' }, undefined],
    [429, {}, undefined],
    [500, { 'retry-after': '120' }, undefined],
  ];
  for (const [status, headers, expected] of cases) {
    const receiver = await startReceiver(answer(status, 'busy', headers));
    const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, lan);
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.code, 'HTTP_ERROR_STATUS');
    assert.equal(result.retryAfterSeconds, expected, `${status} ${JSON.stringify(headers)}`);
  }
});

test('410 marks the endpoint as gone', async () => {
  const receiver = await startReceiver(answer(410, 'unsubscribed'));
  const result = await deliverWebhook({ url: receiver.url(), body, headers: {} }, lan);
  assert.equal(result.outcome, 'failed');
  assert.equal(result.statusCode, 410);
  assert.equal(result.gone, true);
  assert.equal(result.responseBody, 'unsubscribed');
});

test('connection failures, unresolvable names and TLS failures are failed attempts', async () => {
  const closed = await startReceiver(answer(200));
  const closedPort = closed.port;
  await closed.close();
  const refused = await deliverWebhook({ url: `http://127.0.0.1:${closedPort}/`, body, headers: {} }, lan);
  assert.equal(refused.outcome, 'failed');
  assert.equal(refused.error?.code, 'CONNECTION_FAILED');
  assert.match(refused.error?.message ?? '', /ECONNREFUSED/);

  const unresolvable = await deliverWebhook(
    { url: 'https://nowhere.partner.test/', body, headers: {} },
    { ...publicOnly, lookup: fakeLookup({}) },
  );
  assert.equal(unresolvable.outcome, 'failed');
  assert.equal(unresolvable.error?.code, 'HOST_UNRESOLVABLE');

  // An https URL speaks TLS: a plain-HTTP receiver makes the handshake fail.
  const plain = await startReceiver(answer(200));
  const tls = await deliverWebhook({ url: `https://127.0.0.1:${plain.port}/`, body, headers: {} }, lan);
  assert.equal(tls.outcome, 'failed');
  assert.equal(tls.error?.code, 'CONNECTION_FAILED');
  assert.equal(plain.requests.length, 0);
});

test('refuses malformed URLs, other schemes and credentials without a socket', async () => {
  sentry.blockAllSockets = true;
  const cases: Array<[string, string]> = [
    ['not a url', 'URL_MALFORMED'],
    ['ftp://127.0.0.1/', 'URL_SCHEME_UNSUPPORTED'],
    ['file:///etc/passwd', 'URL_SCHEME_UNSUPPORTED'],
    ['http://user:secret@hooks.partner.test/', 'URL_HAS_CREDENTIALS'],
  ];
  for (const [url, code] of cases) {
    assertRefused(await deliverWebhook({ url, body, headers: {} }, lan), code, url);
  }
  assert.equal(sentry.socketsCreated, 0);
});
