import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';

/**
 * Webhook signing, two schemes over one secret:
 *
 * - Standard Webhooks (https://www.standardwebhooks.com, spec 1.0.0): `webhook-id`,
 *   `webhook-timestamp` (unix seconds), `webhook-signature: v1,<base64 HMAC-SHA256(key,
 *   "<id>.<timestamp>.<body>")>`. This is the one partners should verify: it covers the id
 *   and the time, so a captured request cannot be replayed later.
 * - The seed contract's `X-Veridity-Signature: sha256=<hex HMAC-SHA256(key, body)>`, kept for
 *   receivers built against it. It covers the body only (replayable); do not extend it.
 *
 * A secret is `whsec_` + base64 of 32 random bytes. `key` is the base64-DECODED bytes for
 * BOTH schemes (not the `whsec_...` string), so one secret serves both.
 *
 * Rotation: `secrets` is ordered current first; every secret signs, in that order:
 * `webhook-signature: v1,<current> v1,<previous>` (space-separated, per the spec) and
 * `X-Veridity-Signature: sha256=<current>,sha256=<previous>` (comma-separated). A receiver
 * of the seed header must accept any of the comma-separated values, not compare the whole
 * header.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
// The spec: symmetric keys are at least 24 bytes and at most 64.
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
// Ids are ours (never partner input) and must not contain '.', the delimiter of the signed content.
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export type SignWebhookInput = {
  /** Message id, the same for every attempt of one event (receivers deduplicate on it). */
  id: string;
  /** Time of this attempt (not of the event): re-sign on every retry. */
  timestamp: Date;
  /** The exact body that will be sent. */
  body: string;
  /** Current secret first, then secrets still honoured during rotation. */
  secrets: readonly string[];
};

export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-veridity-signature': string;
};

/** Signature headers for one delivery attempt; throws TypeError on a malformed id, time or secret. */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  if (!MESSAGE_ID_PATTERN.test(input.id)) throw new TypeError(`webhook id ${JSON.stringify(input.id)} is not [A-Za-z0-9_-]{1,128}`);
  const millis = input.timestamp.getTime();
  if (!Number.isFinite(millis) || millis < 0) throw new TypeError('webhook timestamp is not a valid date');
  if (input.secrets.length === 0) throw new TypeError('at least one webhook secret is required');

  const timestamp = String(Math.floor(millis / 1000));
  // KeyObjects: an HMAC given a Buffer key re-checks what kind of key it is (~10 us, most of a signature's cost).
  const keys = input.secrets.map((secret) => createSecretKey(decodeWebhookSecret(secret)));
  const standard = keys.map(
    (key) => 'v1,' + createHmac('sha256', key).update(`${input.id}.${timestamp}.${input.body}`).digest('base64'),
  );
  const seed = keys.map((key) => 'sha256=' + createHmac('sha256', key).update(input.body).digest('hex'));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': standard.join(' '),
    'x-veridity-signature': seed.join(','),
  };
}

function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : undefined;
  if (encoded === undefined || !BASE64_PATTERN.test(encoded)) throw new TypeError('webhook secret is not whsec_<base64>');
  const key = Buffer.from(encoded, 'base64');
  // Buffer's decoder skips junk silently; a round trip proves the text was canonical base64.
  const canonical = key.toString('base64');
  if (encoded !== canonical && encoded !== canonical.replace(/=+$/, '')) {
    throw new TypeError('webhook secret is not canonical base64');
  }
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new TypeError(`webhook secret must decode to ${MIN_KEY_BYTES}..${MAX_KEY_BYTES} bytes`);
  }
  return key;
}
