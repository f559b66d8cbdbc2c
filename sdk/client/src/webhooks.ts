import { concatBytes, constantTimeEqual, decodeBase64, encodeBase64, utf8 } from './bytes.ts';
import { hmacSha256, runWithWebCrypto, type Steps } from './crypto-steps.ts';

/**
 * Verify Veridity webhooks on the receiving side.
 *
 * Veridity signs every webhook with the Standard Webhooks scheme
 * (https://www.standardwebhooks.com): headers `webhook-id`, `webhook-timestamp` (unix
 * seconds) and `webhook-signature` (space-separated `v1,<base64>` entries, several during a
 * secret rotation), each an HMAC-SHA256 of `<id>.<timestamp>.<raw body>` keyed with the
 * base64-decoded part of your `whsec_...` secret.
 *
 * Pass the body exactly as received (a string or the raw bytes), never a re-serialised
 * JSON object. Deduplicate on the `webhook-id` header: an event keeps its id across retries.
 */

export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers;

export type VerifyWebhookOptions = {
  /** Largest accepted distance between `webhook-timestamp` and now, either way. Default 300. */
  toleranceSeconds?: number;
  /** The current time; defaults to the system clock. */
  now?: Date;
};

export type WebhookVerificationFailure =
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty. */
  | 'MISSING_HEADERS'
  /** A header is repeated with different values, or the timestamp is not an integer. */
  | 'MALFORMED_HEADERS'
  | 'TIMESTAMP_TOO_OLD'
  | 'TIMESTAMP_TOO_NEW'
  /** No `v1` signature matches: wrong secret, or the body, id or timestamp was altered. */
  | 'NO_MATCHING_SIGNATURE'
  /** Authentic, but the body is not JSON (never the case for Veridity events). */
  | 'PAYLOAD_NOT_JSON';

export type WebhookVerificationResult = { ok: true; event: unknown } | { ok: false; reason: WebhookVerificationFailure };

const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';
const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks a webhook's signature and freshness and resolves to the parsed event. Rejects with a
 * TypeError only for a misconfiguration on your side (a malformed secret or option).
 *
 * @param secret the endpoint's signing secret, `whsec_<base64>` (the bare base64 also works)
 */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookVerificationResult> {
  return runWithWebCrypto(webhookVerification(rawBody, headers, secret, options));
}

/** The check as steps: run by verifyWebhookSignature here, synchronously by sdk/webhooks.ts on the server side. */
export function* webhookVerification(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions,
): Steps<WebhookVerificationResult> {
  const key = decodeSecret(secret);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('toleranceSeconds must be a finite number >= 0');

  const id = readHeader(headers, 'webhook-id');
  const timestamp = readHeader(headers, 'webhook-timestamp');
  const signatures = readHeader(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) return failure('MISSING_HEADERS');
  if (id === null || timestamp === null || signatures === null || !TIMESTAMP_PATTERN.test(timestamp)) {
    return failure('MALFORMED_HEADERS');
  }

  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const ageSeconds = nowSeconds - Number(timestamp);
  if (ageSeconds > tolerance) return failure('TIMESTAMP_TOO_OLD');
  if (-ageSeconds > tolerance) return failure('TIMESTAMP_TOO_NEW');

  const body = typeof rawBody === 'string' ? utf8(rawBody) : rawBody;
  const expected = encodeBase64(yield* hmacSha256(key, concatBytes(utf8(`${id}.${timestamp}.`), body)));
  const matches = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => constantTimeEqual(entry.slice(3), expected));
  if (!matches) return failure('NO_MATCHING_SIGNATURE');

  try {
    const text = typeof rawBody === 'string' ? rawBody : new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    return { ok: true, event: JSON.parse(text) };
  } catch {
    return failure('PAYLOAD_NOT_JSON');
  }
}

function failure(reason: WebhookVerificationFailure): WebhookVerificationResult {
  return { ok: false, reason };
}

/** The header's single value; undefined if absent or empty, null if given several different values. */
function readHeader(headers: WebhookHeaders, name: string): string | null | undefined {
  let values: string[];
  if (typeof headers.get === 'function') {
    const value = (headers as Headers).get(name);
    values = value === null ? [] : [value];
  } else {
    values = Object.entries(headers as Record<string, string | string[] | undefined>)
      .filter(([key]) => key.toLowerCase() === name)
      .flatMap(([, value]) => (value === undefined ? [] : value));
  }
  const distinct = [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
  if (distinct.length === 0) return undefined;
  return distinct.length === 1 ? distinct[0] : null;
}

function decodeSecret(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64_PATTERN.test(encoded) ? decodeBase64(encoded) : undefined;
  // A round trip rejects text that a lenient decoder would quietly half-decode.
  const canonical = key === undefined ? '' : encodeBase64(key);
  if (key === undefined || (encoded !== canonical && encoded !== canonical.replace(/=+$/, '')) || key.length < 24 || key.length > 64) {
    throw new TypeError('webhook secret must be whsec_<base64 of 24 to 64 bytes>, as shown in the Veridity console');
  }
  return key;
}
