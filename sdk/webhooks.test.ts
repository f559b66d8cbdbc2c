import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes, webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { verifyWebhook } from './webhooks.ts';

// Published vector from the Standard Webhooks reference library
// (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const vectorHeaders = {
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
};
const atVectorTime = { now: new Date(VECTOR.timestamp * 1000) };

/** A sender built on WebCrypto, independent of the node:crypto code under test. */
async function webCryptoSignature(secret: string, id: string, timestamp: number, body: string | Uint8Array): Promise<string> {
  const keyBytes = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const key = await webcrypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const bodyBytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), bodyBytes]);
  return 'v1,' + Buffer.from(await webcrypto.subtle.sign('HMAC', key, content)).toString('base64');
}

const newSecret = () => 'whsec_' + randomBytes(32).toString('base64');

test('accepts the published Standard Webhooks vector, with or without the whsec_ prefix', () => {
  assert.deepEqual(verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret, atVectorTime), {
    ok: true,
    event: { test: 2432232314 },
  });
  assert.equal(verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret.slice('whsec_'.length), atVectorTime).ok, true);
});

test('the WebCrypto test sender reproduces the published vector', async () => {
  assert.equal(await webCryptoSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
});

test('rejects a tampered body, id or timestamp, and a wrong secret', () => {
  const reject = (body: string, headers: Record<string, string>, secret = VECTOR.secret) =>
    verifyWebhook(body, headers, secret, atVectorTime);
  assert.deepEqual(reject('{"test": 2432232315}', vectorHeaders), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  assert.deepEqual(reject(VECTOR.body + ' ', vectorHeaders), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  assert.deepEqual(reject(VECTOR.body, { ...vectorHeaders, 'webhook-id': 'msg_other' }), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  assert.deepEqual(
    reject(VECTOR.body, { ...vectorHeaders, 'webhook-timestamp': String(VECTOR.timestamp + 1) }),
    { ok: false, reason: 'NO_MATCHING_SIGNATURE' },
  );
  assert.deepEqual(reject(VECTOR.body, vectorHeaders, newSecret()), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
});

test('rejects truncated, empty and non-v1 signatures', () => {
  const sig = VECTOR.signature;
  for (const signature of [sig.slice(0, 8), sig.slice(0, -1), 'v1,', 'v1a,' + sig.slice(3), 'v2,' + sig.slice(3), sig.slice(3)]) {
    assert.deepEqual(
      verifyWebhook(VECTOR.body, { ...vectorHeaders, 'webhook-signature': signature }, VECTOR.secret, atVectorTime),
      { ok: false, reason: 'NO_MATCHING_SIGNATURE' },
      signature,
    );
  }
});

test('any one of several signatures may match (secret rotation)', async () => {
  const [current, previous] = [newSecret(), newSecret()];
  const now = Math.floor(Date.now() / 1000);
  const body = '{"event":"proof.verified"}';
  const signature = [
    await webCryptoSignature(current, 'msg_1', now, body),
    await webCryptoSignature(previous, 'msg_1', now, body),
    'v1a,bm90IGFuIGVkMjU1MTkgc2lnbmF0dXJl',
  ].join(' ');
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signature };
  assert.equal(verifyWebhook(body, headers, current).ok, true);
  assert.equal(verifyWebhook(body, headers, previous).ok, true);
  assert.deepEqual(verifyWebhook(body, headers, newSecret()), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
});

test('enforces the timestamp tolerance in both directions', () => {
  const at = (offsetSeconds: number, toleranceSeconds?: number) =>
    verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret, {
      now: new Date((VECTOR.timestamp + offsetSeconds) * 1000),
      ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
    });
  assert.equal(at(300).ok, true);
  assert.equal(at(-300).ok, true);
  assert.deepEqual(at(301), { ok: false, reason: 'TIMESTAMP_TOO_OLD' });
  assert.deepEqual(at(-301), { ok: false, reason: 'TIMESTAMP_TOO_NEW' });
  assert.deepEqual(at(61, 60), { ok: false, reason: 'TIMESTAMP_TOO_OLD' });
  assert.equal(at(60, 60).ok, true);
  // Without `now`, the system clock decides: the 2021 vector is stale today.
  assert.deepEqual(verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret), { ok: false, reason: 'TIMESTAMP_TOO_OLD' });
});

test('reports missing and malformed headers', () => {
  for (const name of Object.keys(vectorHeaders)) {
    const without: Record<string, string> = { ...vectorHeaders };
    delete without[name];
    assert.deepEqual(verifyWebhook(VECTOR.body, without, VECTOR.secret, atVectorTime), { ok: false, reason: 'MISSING_HEADERS' }, name);
    assert.deepEqual(
      verifyWebhook(VECTOR.body, { ...vectorHeaders, [name]: '' }, VECTOR.secret, atVectorTime),
      { ok: false, reason: 'MISSING_HEADERS' },
      name,
    );
  }
  for (const timestamp of ['hello', '1614265330abc', '1614265330.0', '-1614265330', '1e9']) {
    assert.deepEqual(
      verifyWebhook(VECTOR.body, { ...vectorHeaders, 'webhook-timestamp': timestamp }, VECTOR.secret, atVectorTime),
      { ok: false, reason: 'MALFORMED_HEADERS' },
      timestamp,
    );
  }
  assert.deepEqual(
    verifyWebhook(VECTOR.body, { ...vectorHeaders, 'webhook-id': [VECTOR.id, 'msg_other'] }, VECTOR.secret, atVectorTime),
    { ok: false, reason: 'MALFORMED_HEADERS' },
  );
});

test('reads header names case-insensitively from records, arrays and fetch Headers', () => {
  const mixedCase = {
    'Webhook-Id': [VECTOR.id],
    'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp),
    'webhook-Signature': VECTOR.signature,
    'content-type': undefined,
  };
  assert.equal(verifyWebhook(VECTOR.body, mixedCase, VECTOR.secret, atVectorTime).ok, true);
  assert.equal(verifyWebhook(VECTOR.body, new Headers(vectorHeaders), VECTOR.secret, atVectorTime).ok, true);
});

test('verifies raw bytes, including non-ASCII bodies, identically to strings', async () => {
  const secret = newSecret();
  const now = Math.floor(Date.now() / 1000);
  const body = '{"claim_type":"citizenship","note":"Zoë — 認証"}';
  const bytes = new TextEncoder().encode(body);
  const headers = {
    'webhook-id': 'msg_2',
    'webhook-timestamp': String(now),
    'webhook-signature': await webCryptoSignature(secret, 'msg_2', now, bytes),
  };
  const expected = { ok: true, event: JSON.parse(body) };
  assert.deepEqual(verifyWebhook(body, headers, secret), expected);
  assert.deepEqual(verifyWebhook(bytes, headers, secret), expected);
  assert.deepEqual(verifyWebhook(Buffer.from(bytes), headers, secret), expected);
});

test('an authentic body that is not JSON is reported as such', async () => {
  const secret = newSecret();
  const now = Math.floor(Date.now() / 1000);
  for (const body of ['not json', new Uint8Array([0x7b, 0xff, 0x7d])]) {
    const headers = {
      'webhook-id': 'msg_3',
      'webhook-timestamp': String(now),
      'webhook-signature': await webCryptoSignature(secret, 'msg_3', now, body),
    };
    assert.deepEqual(verifyWebhook(body, headers, secret), { ok: false, reason: 'PAYLOAD_NOT_JSON' });
  }
});

/** Valid-looking base64 of 32 bytes whose unused low bits are set: Buffer would decode it anyway. */
function nonCanonicalBase64(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const canonical = randomBytes(32).toString('base64'); // 43 characters + '='
  const last = alphabet[alphabet.indexOf(canonical[42]!) | 1]!;
  return canonical.slice(0, 42) + last + '=';
}

test('a malformed secret or tolerance is a configuration error and throws', () => {
  const malformed = [
    '',
    'whsec_',
    'whsec_not base64!',
    'whsec_' + randomBytes(16).toString('base64'), // too short
    'whsec_' + randomBytes(65).toString('base64'), // too long
    VECTOR.secret + '=', // padding where none belongs
    'whsec_' + nonCanonicalBase64(),
  ];
  for (const secret of malformed) {
    assert.throws(() => verifyWebhook(VECTOR.body, vectorHeaders, secret, atVectorTime), TypeError, secret);
  }
  assert.throws(() => verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret, { toleranceSeconds: -1 }), TypeError);
  assert.throws(() => verifyWebhook(VECTOR.body, vectorHeaders, VECTOR.secret, { toleranceSeconds: Number.NaN }), TypeError);
});
