/**
 * @veridity/client: a typed client for the Veridity API, and offline checks of what it hands
 * out (webhook signatures, ledger receipts, evidence certificates). Runs in Node 20+ and browsers: fetch and WebCrypto only.
 */
export {
  type ApiError,
  type CallOptions,
  createVeridityClient,
  type ReceiptWait,
  type Task,
  type TaskWait,
  type VeridityClient,
  type VeridityClientOptions,
  type WaitFailure,
  type WaitOptions,
} from './client.ts';
export {
  CERTIFICATE_CHECKS,
  type CertificateCheck,
  type CertificateCheckResult,
  type CertificateJwkSet,
  type CertificateKeys,
  type CertificateVerification,
  certificateKeysFromJwks,
  type EvidenceCertificate,
  verifyCertificate,
} from './certificates.ts';
export type { components, operations, paths, webhooks } from './openapi.d.ts';
export { type LedgerEntry, type ReceiptVerification, verifyReceipt } from './receipts.ts';
export type { OnReceiptCheckPassed, ReceiptCheckPassed } from './tlog/receipt.ts';
export type { RetryOptions } from './retry.ts';
export {
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationFailure,
  type WebhookVerificationResult,
  verifyWebhookSignature,
} from './webhooks.ts';
