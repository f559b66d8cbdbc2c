// Signatures made by the server's own signer (this package's imports map has no #modules) must verify here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signWebhook } from '../../../src/modules/webhooks/delivery/sign-webhook.ts';
import { verifyWebhookSignature } from './webhooks.ts';

// Published vector from the Standard Webhooks reference library (as in sdk/webhooks.test.ts, which covers the rules in depth).
const VECTOR = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}', signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };

test('WebCrypto accepts the published vector, from a Headers object or a plain one', async () => {
  const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
  const now = new Date(VECTOR.timestamp * 1000);
  assert.deepEqual(await verifyWebhookSignature(VECTOR.body, headers, VECTOR.secret, { now }), { ok: true, event: { test: 2432232314 } });
  assert.deepEqual(await verifyWebhookSignature(new TextEncoder().encode(VECTOR.body), new Headers(headers), VECTOR.secret, { now }), { ok: true, event: { test: 2432232314 } });
  assert.deepEqual(await verifyWebhookSignature(`${VECTOR.body} `, headers, VECTOR.secret, { now }), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
});

test("the platform's signatures verify, during a rotation too; a wrong secret and a malformed one are told apart", async () => {
  const [current, previous] = ['whsec_' + randomBytes(32).toString('base64'), 'whsec_' + randomBytes(32).toString('base64')];
  const body = JSON.stringify({ event: 'webhook.test', ts: new Date().toISOString() });
  const headers = signWebhook({ id: 'whk_1', timestamp: new Date(), body, secrets: [current, previous] });
  assert.equal((await verifyWebhookSignature(body, headers, previous)).ok, true);
  assert.deepEqual(await verifyWebhookSignature(body, headers, 'whsec_' + randomBytes(32).toString('base64')), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  await assert.rejects(verifyWebhookSignature(body, headers, 'whsec_short'), TypeError);
});
