/**
 * Verify Veridity webhooks on the receiving side, synchronously, in Node: the same check as the
 * client SDK's `verifyWebhookSignature` (sdk/client/src/webhooks.ts, which documents the scheme),
 * run with node:crypto instead of WebCrypto. Partners use the SDK (`@veridity/client`).
 */
import { type VerifyWebhookOptions, type WebhookHeaders, type WebhookVerificationResult, webhookVerification } from '#client/webhooks.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';

export type { VerifyWebhookOptions, WebhookHeaders, WebhookVerificationFailure, WebhookVerificationResult } from '#client/webhooks.ts';

/**
 * Checks a webhook's signature and freshness and returns the parsed event.
 * Throws TypeError only for a misconfiguration on your side (a malformed secret or option).
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): WebhookVerificationResult {
  return runWithNodeCrypto(webhookVerification(rawBody, headers, secret, options));
}
