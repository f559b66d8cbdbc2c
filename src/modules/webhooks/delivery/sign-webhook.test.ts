import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes, webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { verifyWebhook } from '../../../../sdk/webhooks.ts';
import { generateWebhookSecret, signWebhook } from './sign-webhook.ts';

/** HMAC-SHA256 through WebCrypto: an implementation independent of the node:crypto code under test. */
async function webCryptoHmac(secret: string, content: string): Promise<Buffer> {
  const keyBytes = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const key = await webcrypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Buffer.from(await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(content)));
}

const body = JSON.stringify({
  event: 'proof.verified',
  proof_id: 'prf_01jc4r1y5gf7xw0v2zj3k8q9mn',
  claim_type: 'age_over_18',
  status: 'verified',
  ts: '2026-03-01T12:00:00.000Z',
});

test('matches the published Standard Webhooks vector', () => {
  // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts ("sign function works").
  const headers = signWebhook({
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: new Date(1614265330 * 1000),
    body: '{"test": 2432232314}',
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  });
  assert.equal(headers['webhook-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  assert.equal(headers['webhook-timestamp'], '1614265330');
  assert.equal(headers['webhook-id'], 'msg_p5jXN8AQM9LWM0D4loKWxJek');
});

test('generated secrets are whsec_ + base64 of 32 fresh random bytes', () => {
  const first = generateWebhookSecret();
  const second = generateWebhookSecret();
  assert.match(first, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(first.slice('whsec_'.length), 'base64').length, 32);
  assert.notEqual(first, second);
});

test('both headers recompute independently, and the SDK verifies the result', async () => {
  const secret = generateWebhookSecret();
  const timestamp = new Date('2026-03-01T12:00:00.750Z');
  const headers = signWebhook({ id: 'whk_01jc4r1y5gf7xw0v2zj3k8q9mn', timestamp, body, secrets: [secret] });

  const unixSeconds = Math.floor(timestamp.getTime() / 1000);
  assert.equal(headers['webhook-timestamp'], String(unixSeconds));
  const standard = await webCryptoHmac(secret, `whk_01jc4r1y5gf7xw0v2zj3k8q9mn.${unixSeconds}.${body}`);
  assert.equal(headers['webhook-signature'], 'v1,' + standard.toString('base64'));
  // The seed header is keyed with the same decoded bytes, over the body alone.
  const seed = await webCryptoHmac(secret, body);
  assert.equal(headers['x-veridity-signature'], 'sha256=' + seed.toString('hex'));

  assert.deepEqual(verifyWebhook(body, headers, secret, { now: timestamp }), { ok: true, event: JSON.parse(body) });
});

test('the SDK rejects a tampered body and a stale timestamp', () => {
  const secret = generateWebhookSecret();
  const timestamp = new Date('2026-03-01T12:00:00Z');
  const headers = signWebhook({ id: 'msg_1', timestamp, body, secrets: [secret] });
  const tampered = body.replace('"verified"', '"rejected"');
  assert.notEqual(tampered, body);
  assert.deepEqual(verifyWebhook(tampered, headers, secret, { now: timestamp }), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  const sixMinutesLater = new Date(timestamp.getTime() + 6 * 60_000);
  assert.deepEqual(verifyWebhook(body, headers, secret, { now: sixMinutesLater }), { ok: false, reason: 'TIMESTAMP_TOO_OLD' });
});

test('during rotation every secret signs, current first, and either verifies', async () => {
  const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
  const timestamp = new Date();
  const unixSeconds = Math.floor(timestamp.getTime() / 1000);
  const headers = signWebhook({ id: 'msg_2', timestamp, body, secrets: [current, previous] });

  const expectedStandard = await Promise.all(
    [current, previous].map(async (secret) => 'v1,' + (await webCryptoHmac(secret, `msg_2.${unixSeconds}.${body}`)).toString('base64')),
  );
  assert.equal(headers['webhook-signature'], expectedStandard.join(' '));
  const expectedSeed = await Promise.all(
    [current, previous].map(async (secret) => 'sha256=' + (await webCryptoHmac(secret, body)).toString('hex')),
  );
  assert.equal(headers['x-veridity-signature'], expectedSeed.join(','));

  assert.equal(verifyWebhook(body, headers, current).ok, true);
  assert.equal(verifyWebhook(body, headers, previous).ok, true);
  assert.deepEqual(verifyWebhook(body, headers, generateWebhookSecret()), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
});

test('signs the UTF-8 bytes of non-ASCII bodies', async () => {
  const secret = generateWebhookSecret();
  const unicodeBody = '{"note":"Zoë — 認証 ✓"}';
  const timestamp = new Date(1_760_000_000_000);
  const headers = signWebhook({ id: 'msg_3', timestamp, body: unicodeBody, secrets: [secret] });
  const expected = await webCryptoHmac(secret, `msg_3.1760000000.${unicodeBody}`);
  assert.equal(headers['webhook-signature'], 'v1,' + expected.toString('base64'));
  assert.equal(verifyWebhook(Buffer.from(unicodeBody, 'utf8'), headers, secret, { now: timestamp }).ok, true);
});

test('malformed ids, times and secrets are programmer errors', () => {
  const valid = { id: 'msg_4', timestamp: new Date(), body, secrets: [generateWebhookSecret()] };
  assert.throws(() => signWebhook({ ...valid, id: 'msg.4' }), TypeError); // '.' would make the signed content ambiguous
  assert.throws(() => signWebhook({ ...valid, id: '' }), TypeError);
  assert.throws(() => signWebhook({ ...valid, id: 'msg_4\r\nx-injected: 1' }), TypeError);
  assert.throws(() => signWebhook({ ...valid, timestamp: new Date(Number.NaN) }), TypeError);
  assert.throws(() => signWebhook({ ...valid, secrets: [] }), TypeError);
  for (const secret of [
    randomBytes(32).toString('base64'), // no prefix
    'whsec_' + randomBytes(16).toString('base64'), // too short
    'whsec_' + randomBytes(32).toString('hex') + '!',
  ]) {
    assert.throws(() => signWebhook({ ...valid, secrets: [secret] }), TypeError, secret);
  }
});
