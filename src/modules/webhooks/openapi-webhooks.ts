import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { TCB_STATUSES } from '#modules/attestations/verification/types.ts';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import { WEBHOOK_USER_AGENT } from './delivery/deliver-webhook.ts';

/**
 * What Veridity POSTs to a partner's webhook URL, for the OpenAPI `webhooks` section. The
 * payloads are written where the events are raised (zk/verify/verify-proof.ts,
 * attestations/finish-task.ts, evidence/finish-evidence.ts (and evidence_submit(), migration 0030), certificates/issue-certificate.ts and
 * revoke-certificate.ts, billing/invoices/finalize-invoices.ts, billing/charge-usage.ts, send-test-webhook.ts); these schemas describe them.
 */

export const ProofEventSchema = z
  .object({
    event: z.enum(['proof.verified', 'proof.failed']),
    proof_id: z.string().describe('The proof (`prf_...`): GET /api/v1/status/{proof_id}, GET /api/v1/receipts/{id}'),
    claim_type: z.enum(CLAIM_TYPES),
    status: z.enum(['verified', 'failed']),
    ts: z.string().describe('When the proof was checked (ISO 8601)'),
  })
  .meta({
    id: 'ProofEvent',
    description: 'A proof was checked (POST /api/v1/verify): `proof.verified`, or `proof.failed` with the reason in GET /api/v1/status/{proof_id}.',
    examples: [{ event: 'proof.verified', proof_id: EXAMPLE.proofId, claim_type: 'age_over_18', status: 'verified', ts: EXAMPLE.time }],
  });

export const TaskEventSchema = z
  .object({
    event: z.enum(['task.completed', 'task.failed']),
    task_id: z.string().describe('The attestation task (`tsk_...`): GET /api/v1/tasks/{id}'),
    app_id: z.string(),
    status: z.enum(['completed', 'failed']),
    is_valid: z.boolean().nullable().describe('The verdict; null when the task failed before the evidence was appraised'),
    tcb_status: z.enum(TCB_STATUSES).nullable(),
    error_code: z.string().optional().describe('Only on task.failed'),
    ts: z.string().describe('When the task finished (ISO 8601)'),
  })
  .meta({
    id: 'TaskEvent',
    description: 'An attestation task finished: `task.completed` (appraised; see `is_valid`) or `task.failed`.',
    examples: [{ event: 'task.completed', task_id: EXAMPLE.taskId, app_id: 'app-7f3a', status: 'completed', is_valid: true, tcb_status: 'UpToDate', ts: EXAMPLE.time }],
  });

export const EvidenceEventSchema = z
  .object({
    event: z.enum(['evidence.rejected', 'evidence.failed']),
    evidence_id: z.string().describe('The submission (`evd_...`): GET /api/v1/proofs/{id}'),
    sha256: z.string().describe('SHA-256 of the submitted DER, hex'),
    status: z.enum(['rejected', 'failed']),
    error_code: z.string().describe('rejected: why the evidence does not verify (`CHAIN_UNTRUSTED`, `CERT_REVOKED`, `CONTENT_INVALID`, ...); failed: `VERIFICATION_TIMEOUT` or `INTERNAL_ERROR`'),
    error_message: z.string(),
    error_path: z.string().nullable().describe('CONTENT_INVALID: where the erasure report breaks its JSON Schema'),
    ts: z.string().describe('When it was decided (ISO 8601)'),
  })
  .meta({
    id: 'EvidenceEvent',
    description:
      'A submission was not certified: `evidence.rejected` (the evidence does not verify; final, in the ledger) or `evidence.failed` ' +
      '(it could not be decided; submit the same DER again to retry). A certified one raises `certificate.issued`.',
    examples: [{
      event: 'evidence.rejected', evidence_id: EXAMPLE.evidenceId, sha256: 'ab'.repeat(32), status: 'rejected', error_code: 'CERT_REVOKED',
      error_message: 'the signer certificate is revoked by a CRL of yours', error_path: null, ts: EXAMPLE.time,
    }],
  });

export const EvidenceAwaitingCreditsEventSchema = z
  .object({
    event: z.literal('evidence.awaiting_credits'),
    evidence_id: z.string().describe('The submission (`evd_...`): GET /api/v1/proofs/{id}'),
    sha256: z.string().describe('SHA-256 of the submitted DER, hex'),
    status: z.literal('awaiting_credits'),
    ts: z.string().describe('When it was submitted (ISO 8601)'),
  })
  .meta({
    id: 'EvidenceAwaitingCreditsEvent',
    description:
      'A submission was taken in while you were out of credits (GET /api/v1/billing/balance `over_cap`: prepaid balance used up, or the monthly spending cap reached), ' +
      'or behind older ones that wait: it is stored, and verified (then `certificate.issued` or `evidence.rejected`) once your credits cover it, in submission order. ' +
      'Raised by evidence_submit() (migration 0030) for the API and the ingest gateway alike.',
    examples: [{ event: 'evidence.awaiting_credits', evidence_id: EXAMPLE.evidenceId, sha256: 'ab'.repeat(32), status: 'awaiting_credits', ts: EXAMPLE.time }],
  });

const CERTIFICATE_EVENT_EXAMPLE = {
  certificate_id: 'crt_01m8r4pv8cg3n1x7v5qk2d9t6h',
  public_id: '3tq8vz0k5m2c7x9r4w6b1n8h0j',
  evidence_id: 'evd_01m8r4pv8cfa0w5b7q3r9t2k4m',
};

export const CertificateIssuedEventSchema = z
  .object({
    event: z.literal('certificate.issued'),
    certificate_id: z.string().describe('The certificate (`crt_...`): GET /api/v1/certificates/{id}, its PDF and JSON, GET /api/v1/receipts/{id}'),
    public_id: z.string().describe('What the QR code and the public verify page name'),
    evidence_id: z.string().describe('The evidence (`evd_...`) it certifies'),
    status: z.literal('CERTIFIED_NO_ANCHOR'),
    document_sha256: z.string(),
    verify_url: z.string().describe('The public verify page (PUBLIC_URL/verify/{public_id})'),
    ts: z.string().describe('When it was issued (ISO 8601)'),
  })
  .meta({
    id: 'CertificateIssuedEvent',
    description: 'Evidence verified and its certificate was issued; the PDF is ready a few seconds later (once a ledger checkpoint covers it).',
    examples: [{ event: 'certificate.issued', ...CERTIFICATE_EVENT_EXAMPLE, status: 'CERTIFIED_NO_ANCHOR', document_sha256: '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef', verify_url: 'https://verify.example.com/verify/3tq8vz0k5m2c7x9r4w6b1n8h0j', ts: EXAMPLE.time }],
  });

export const CertificateRevokedEventSchema = z
  .object({
    event: z.literal('certificate.revoked'),
    certificate_id: z.string(),
    public_id: z.string(),
    evidence_id: z.string(),
    status: z.literal('REVOKED'),
    reason: z.string().describe('As given to POST /api/v1/certificates/{id}/revoke'),
    ts: z.string().describe('When it was revoked (ISO 8601)'),
  })
  .meta({
    id: 'CertificateRevokedEvent',
    description: 'A certificate was revoked (POST /api/v1/certificates/{id}/revoke); its verify page says so from now on.',
    examples: [{ event: 'certificate.revoked', ...CERTIFICATE_EVENT_EXAMPLE, status: 'REVOKED', reason: 'the erasure report named the wrong device serial', ts: EXAMPLE.later }],
  });

export const AgentSettlementEventSchema = z
  .object({
    event: z.literal('agent.settlement.recorded'),
    settlement_id: z.string().describe('The settlement (`stl_...`)'),
    agent_id: z.string().describe('The registry agent paid (`agr_...`)'),
    work_id: z.string().nullable().describe('The work record paid for, when given'),
    status: z.enum(['verified', 'settled', 'settle_failed']).describe('`verified`: checked offline only (no facilitator); `settled`: on chain; `settle_failed`: the facilitator did not settle it'),
    network: z.string().describe('CAIP-2'),
    asset: z.string(),
    amount: z.string().describe('Atomic units of the asset'),
    payer: z.string(),
    transaction: z.string().nullable().describe('The chain\'s reference once settled'),
    ts: z.string().describe('When it was recorded (ISO 8601)'),
  })
  .meta({
    id: 'AgentSettlementEvent',
    description: 'An x402 payment to a registry agent was recorded (POST /api/v1/x402/settle): sent to the agent\'s partner and to the partner who recorded it.',
    examples: [{
      event: 'agent.settlement.recorded', settlement_id: 'stl_01kkkq3x8m5v0c7d2r9t4w6y1z', agent_id: 'agr_01kkkq3x8m5v0c7d2r9t4w6y1a', work_id: null, status: 'verified',
      network: 'eip155:8453', asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', amount: '10000', payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66', transaction: null, ts: EXAMPLE.time,
    }],
  });

export const InvoiceFinalizedEventSchema = z
  .object({
    event: z.literal('invoice.finalized'),
    invoice_id: z.string().describe('The invoice (`inv_...`): GET /api/v1/billing/invoices/{id}, .pdf, .csv'),
    number: z.string().describe('`<currency>-<year>-<6 digits>`, without gaps per currency and year'),
    period_start: z.string().describe('First instant of the UTC month billed (ISO 8601)'),
    period_end: z.string().describe('First instant of the next month (exclusive)'),
    currency: z.string().describe('ISO 4217; amounts are integer minor units of it'),
    subtotal: z.number().int(),
    deposits_applied: z.number().int(),
    total: z.number().int().describe('subtotal - deposits_applied'),
    ts: z.string().describe('When it was finalized (ISO 8601)'),
  })
  .meta({
    id: 'InvoiceFinalizedEvent',
    description: 'A month closed and its invoice was finalized: numbered, immutable from now on (raised by the global manager\'s `finalize-invoices`, billing/invoices/finalize-invoices.ts).',
    examples: [{
      event: 'invoice.finalized', invoice_id: 'inv_01kkkq3x8m5v0c7d2r9t4w6y1b', number: 'EUR-2026-000042', period_start: '2026-02-01T00:00:00.000Z',
      period_end: '2026-03-01T00:00:00.000Z', currency: 'EUR', subtotal: 1250, deposits_applied: 0, total: 1250, ts: '2026-03-01T00:15:00.000Z',
    }],
  });

export const BillingThresholdEventSchema = z
  .object({
    event: z.literal('billing.threshold_reached'),
    threshold: z.union([z.literal(80), z.literal(100)]).describe('Percent of the monthly spending cap reached (at 100 %, billable calls answer 402 `SPENDING_CAP`)'),
    period: z.string().describe('The billing period (the UTC month start, ISO 8601)'),
    spend: z.number().int().describe('Month-to-date overage when it was reached, in minor units of `currency`'),
    cap: z.number().int().describe("Your plan's monthly spending cap, in minor units"),
    currency: z.string().describe('ISO 4217'),
    ts: z.string().describe('When the billing cycle saw it (ISO 8601)'),
  })
  .meta({
    id: 'BillingThresholdEvent',
    description: 'Your month-to-date spend reached 80 % or 100 % of your plan\'s monthly spending cap: sent once per threshold and month, by the billing cycle that charges usage.',
    examples: [{ event: 'billing.threshold_reached', threshold: 80, period: '2026-03-01T00:00:00.000Z', spend: 8000, cap: 10000, currency: 'EUR', ts: EXAMPLE.time }],
  });

export const TestEventSchema = z
  .object({ event: z.literal('webhook.test'), ts: z.string().describe('When the test was requested (ISO 8601)') })
  .meta({ id: 'WebhookTestEvent', description: 'Sent on request (POST /api/v1/webhooks/test) to check a receiver.', examples: [{ event: 'webhook.test', ts: EXAMPLE.time }] });

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', description: 'Delivery id (`whk_...`), the same on every attempt and redelivery: deduplicate on it', example: EXAMPLE.deliveryId },
  { name: 'webhook-timestamp', description: 'Unix seconds of this attempt; refuse ones far from your clock (replay)', example: '1773480413' },
  {
    name: 'webhook-signature',
    description: 'Standard Webhooks 1.0: `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`, key = base64-decoded part of the `whsec_` secret. Space-separated, one per secret while a rotation overlaps: accept any. Verify this one.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
  {
    name: 'X-Veridity-Signature',
    description: 'Legacy: `sha256=<hex HMAC-SHA256(key, body)>`, comma-separated during rotation. Covers the body only (replayable); prefer `webhook-signature`.',
    example: 'sha256=3f0c8a9d2b71e4c56a8f0d1e9b7c3a2f5e4d6c8b0a1f2e3d4c5b6a7f8e9d0c1b',
  },
].map(({ name, description, example }) => ({ name, in: 'header', required: true, description, schema: { type: 'string' }, example }));

const RECEIVER_RESPONSES = {
  '200': { description: 'Any 2xx: delivered. Answer fast (within 15 s) and process afterwards.' },
  '410': { description: 'Gone: the delivery is dead and the endpoint is disabled until the operator sets its URL again.' },
  default: { description: 'Any other status, or no answer within 15 s: retried (1 m, 5 m, 15 m, 1 h, 6 h, ..., 8 attempts); a longer `Retry-After` on 429 or 503 is honoured.' },
};

function event(operationId: string, summary: string, schemaId: string) {
  return {
    post: {
      operationId,
      summary,
      description: `POSTed as JSON (User-Agent \`${WEBHOOK_USER_AGENT}\`), signed with your webhook secret; every attempt is listed in GET /api/v1/webhooks/deliveries.`,
      tags: ['Webhooks'],
      security: [],
      parameters: SIGNATURE_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaId}` } } } },
      responses: RECEIVER_RESPONSES,
    },
  };
}

/** The OpenAPI 3.1 `webhooks` object: one entry per event type. */
export const WEBHOOK_EVENTS = {
  'proof.verified': event('onProofVerified', 'A proof verified', 'ProofEvent'),
  'proof.failed': event('onProofFailed', 'A proof was checked and failed', 'ProofEvent'),
  'task.completed': event('onTaskCompleted', 'An attestation task was appraised', 'TaskEvent'),
  'task.failed': event('onTaskFailed', 'An attestation task failed', 'TaskEvent'),
  'evidence.rejected': event('onEvidenceRejected', 'A submitted signed document does not verify', 'EvidenceEvent'),
  'evidence.failed': event('onEvidenceFailed', 'A submitted signed document could not be decided', 'EvidenceEvent'),
  'evidence.awaiting_credits': event('onEvidenceAwaitingCredits', 'A submitted signed document waits for your credits', 'EvidenceAwaitingCreditsEvent'),
  'certificate.issued': event('onCertificateIssued', 'A certificate was issued for verified evidence', 'CertificateIssuedEvent'),
  'certificate.revoked': event('onCertificateRevoked', 'A certificate was revoked', 'CertificateRevokedEvent'),
  'agent.settlement.recorded': event('onAgentSettlementRecorded', 'An x402 payment to a registry agent was recorded', 'AgentSettlementEvent'),
  'invoice.finalized': event('onInvoiceFinalized', 'A monthly invoice was finalized', 'InvoiceFinalizedEvent'),
  'billing.threshold_reached': event('onBillingThresholdReached', 'Your spend reached 80 % or 100 % of your monthly spending cap', 'BillingThresholdEvent'),
  'webhook.test': event('onWebhookTest', 'A test event you asked for', 'WebhookTestEvent'),
};
