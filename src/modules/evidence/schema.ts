import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';
import { EVIDENCE_STATUSES } from './tables.ts';

/** A submitted CMS document, as DER (or BER): the bytes object storage keeps and the worker verifies. */
export const MAX_DER_BYTES = 1024 * 1024;
/** Detached content sent beside its signature. */
export const MAX_CONTENT_BYTES = 1024 * 1024;
/** `metadata`, as canonical JSON. */
export const MAX_METADATA_BYTES = 4096;
export const MAX_BULK_ITEMS = 500;
/** A JSON submission: both documents in base64 (4/3 of their size) and the rest. */
export const SUBMISSION_BODY_LIMIT_BYTES = 3 * 1024 * 1024;
/** A whole bulk request, JSON or multipart. */
export const BULK_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const Filename = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'must be a file name: no control characters, no / or \\')
  .describe('Shown back with the submission; never used as a path');

export const EvidenceSubmissionSchema = z
  .strictObject({
    der_base64: z.base64().min(1).describe('The CMS document (SignedData, or EnvelopedData encrypted to GET /api/v1/evidence/encryption-certificate), DER or BER, base64; at most 1 MiB decoded'),
    content_base64: z.base64().optional().describe('The signed content, base64, when the signature is detached; at most 1 MiB decoded'),
    filename: Filename.optional(),
    metadata: z.record(z.string(), z.unknown()).optional().describe('Your own JSON object, kept with the submission (at most 4 KiB as canonical JSON)'),
  })
  .meta({ id: 'EvidenceSubmission', examples: [{ der_base64: 'MIIGrQYJKoZIhvcNAQcCoIIGnjCCBpoCAQExDTALBglghkgBZQMEAgEw', filename: 'wipe-2025-07-01-SN123.der', metadata: { station: 'bay-4' } }] });
export type EvidenceSubmission = z.infer<typeof EvidenceSubmissionSchema>;

/** What a submission taken in starts as: queued, or waiting for the partner's credits. */
const SUBMITTED_STATUSES = ['received', 'awaiting_credits'] as const;

export const EvidenceSubmittedSchema = z
  .object({
    id: z.string().describe('The submission (`evd_...`): GET /api/v1/proofs/{id}'),
    status: z.enum(SUBMITTED_STATUSES).describe('`received`: queued for verification; `awaiting_credits`: stored, verified once your credits cover it (deposit, or the next month under a spending cap)'),
  })
  .meta({ id: 'EvidenceSubmitted', examples: [{ id: EXAMPLE.evidenceId, status: 'received' }] });

const CertificateLinksSchema = z.object({
  id: z.string().describe('The certificate (`crt_...`)'),
  public_id: z.string().describe('What the certificate is verified by, publicly: it reveals nothing else'),
  url: z.string().describe('GET: the certificate (your credentials)'),
  pdf_url: z.string(),
  json_url: z.string(),
  verify_url: z.string().describe('The public page its QR code opens'),
});

export const EvidenceSchema = z
  .object({
    id: z.string(),
    status: z
      .enum(EVIDENCE_STATUSES)
      .describe(
        'received -> validating -> certified | rejected (the evidence does not verify) | failed (it could not be decided: submit it again). ' +
          'awaiting_credits: taken in while you were out of credits (prepaid balance used up, or the monthly spending cap reached: GET /api/v1/billing/balance `over_cap`), ' +
          'or behind older ones that wait; queued (received) in submission order once your credits cover it',
      ),
    sha256: z.string().describe('SHA-256 of the submitted DER, hex: the same DER submitted again answers this submission'),
    size: z.number().int().describe('Bytes of the submitted DER'),
    detached_content_size: z.number().int().nullable().describe('Bytes of the detached content sent beside it, if any'),
    filename: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    attempts: z.number().int().describe('Verification runs so far'),
    error_code: z.string().nullable().describe('Why it was rejected (`CHAIN_UNTRUSTED`, `CONTENT_INVALID`, ...) or failed'),
    error_message: z.string().nullable(),
    error_path: z.string().nullable().describe('CONTENT_INVALID: where the erasure report breaks its JSON Schema'),
    document: z
      .object({ sha256: z.string().describe('SHA-256 of the signed content'), media_type: z.string(), schema: z.string().nullable().describe('`erasure-report/v1`, or null for an opaque document') })
      .nullable()
      .describe('What was certified'),
    encrypted: z.boolean().nullable().describe('Whether it came as EnvelopedData'),
    certificate: CertificateLinksSchema.nullable(),
    receipt_url: z.string().nullable().describe('A rejection is in the ledger: its receipt (kept when a re-test certified it later). A certificate has its own (`GET /api/v1/receipts/{crt_...}`)'),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    agent_id: z.string().nullable().describe('The enrolled agent that sent it through /ingest/v1/proofs (`agt_...`); null when you did'),
    rejected_at: z.string().nullable().describe('When it was rejected (the ledger entry); kept when a re-test certified it later'),
    retests: z.number().int().describe('Re-tests by the retry worker: a failed submission queued again, a rejection verified again after your trust anchors, TSA anchors or CRLs changed'),
    retested_at: z.string().nullable().describe('The last re-test'),
    evidence_purged_at: z.string().nullable().describe('When the document and its detached content were deleted after EVIDENCE_RETENTION_DAYS (hashes, certificate and ledger entry stay); it can no longer be re-tested'),
  })
  .meta({
    id: 'Evidence',
    examples: [{
      id: EXAMPLE.evidenceId, status: 'rejected', sha256: 'ab'.repeat(32), size: 2917, detached_content_size: null, filename: 'wipe-SN123.der', metadata: null, attempts: 1,
      error_code: 'CHAIN_UNTRUSTED', error_message: 'the signer certificate does not chain to a trust anchor of yours', error_path: null,
      document: null, encrypted: null, certificate: null, receipt_url: `/api/v1/receipts/${EXAMPLE.evidenceId}`, created_at: EXAMPLE.time, started_at: EXAMPLE.time, finished_at: EXAMPLE.time, agent_id: null,
      rejected_at: EXAMPLE.time, retests: 0, retested_at: null, evidence_purged_at: null,
    }],
  });
export type Evidence = z.infer<typeof EvidenceSchema>;

export const EvidencePageSchema = z
  .object({ data: z.array(EvidenceSchema), next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page') })
  .meta({ id: 'EvidencePage' });

export const EvidenceListQuery = z.strictObject({
  status: z.enum(EVIDENCE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: IdParam('evd').optional().describe('`next_cursor` of the previous page'),
});

export const EvidenceIdParams = z.strictObject({ id: IdParam('evd') });

/** Why an item of a submission is refused before anything is stored. */
export const REFUSAL_REASONS = ['TOO_LARGE', 'MALFORMED_CMS', 'UNSUPPORTED_CONTENT_TYPE', 'METADATA_TOO_LARGE', 'INVALID_ITEM'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const BulkResultSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int().describe('Position of the item (JSON) or file part (multipart), from 0'),
        result: z.enum(['accepted', 'duplicate', 'refused']).describe('accepted: queued now (or `awaiting_credits`: see `status`); duplicate: this DER was submitted before (see `id`); refused: nothing stored'),
        id: z.string().optional(),
        status: z.enum(EVIDENCE_STATUSES).optional(),
        filename: z.string().optional(),
        reason: z.enum(REFUSAL_REASONS).optional(),
        message: z.string().optional(),
      }),
    ),
    accepted: z.number().int(),
    duplicate: z.number().int(),
    refused: z.number().int(),
  })
  .meta({
    id: 'EvidenceBulkResult',
    examples: [{
      results: [
        { index: 0, result: 'accepted', id: EXAMPLE.evidenceId, status: 'received' },
        { index: 1, result: 'refused', reason: 'MALFORMED_CMS', message: 'not DER: a CMS ContentInfo starts with a SEQUENCE (0x30), this starts with 0x25' },
      ],
      accepted: 1, duplicate: 0, refused: 1,
    }],
  });
export type BulkResult = z.infer<typeof BulkResultSchema>;

export const TrustAnchorSchema = z
  .object({
    id: z.string().describe('`tra_...`'),
    kind: z.enum(['certificate', 'crl']),
    sha256_fingerprint: Sha256Hex.describe('SHA-256 of the DER, hex: DELETE takes it (or the id)'),
    scope: z.enum(['partner', 'operator']).describe('Yours, or the operator\'s (TSA anchors only; read-only for partners)'),
    subject: z.string().nullable(),
    issuer: z.string(),
    serial_number: z.string().nullable(),
    not_before: z.string().nullable(),
    not_after: z.string().nullable(),
    self_signed: z.boolean().nullable().describe('A root (self-signed) or an intermediate'),
    this_update: z.string().nullable().describe('CRLs'),
    next_update: z.string().nullable().describe('CRLs'),
    created_at: z.string(),
  })
  .meta({ id: 'TrustAnchor' });
export type TrustAnchor = z.infer<typeof TrustAnchorSchema>;

export const TrustAnchorUploadSchema = z
  .union([
    z.strictObject({ pem: z.string().min(1).max(1024 * 1024).describe('One or more PEM blocks: CERTIFICATE and X509 CRL') }),
    z.strictObject({ der_base64: z.base64().min(1).describe('One certificate or CRL, DER, base64') }),
  ])
  .meta({ id: 'TrustAnchorUpload', examples: [{ pem: '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n' }] });
export type TrustAnchorUpload = z.infer<typeof TrustAnchorUploadSchema>;

export const TrustAnchorIdParams = z.strictObject({
  id: z.union([IdParam('tra'), Sha256Hex]).describe('The anchor\'s id (`tra_...`) or its SHA-256 fingerprint (hex)'),
});

/** At most this many certificates and CRLs in one upload. */
export const MAX_ANCHORS_PER_UPLOAD = 50;
export const ANCHOR_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
