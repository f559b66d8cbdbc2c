import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';
import { CertificateAnchorSchema } from './document/certificate-anchor.ts';
import { CertificateJsonSchema, type CertificateJson } from './document/certificate-json.ts';
import { PUBLIC_ID_PATTERN } from './public-id.ts';
import { CERTIFICATE_STATUSES } from './tables.ts';

/** HTTP shapes of the certificates API: partner resources (snake_case, like the webhook resources) and the public views. */

const CERTIFICATE_ID = 'crt_01m8r4pv8cg3n1x7v5qk2d9t6h';
const PUBLIC_ID = '3tq8vz0k5m2c7x9r4w6b1n8h0j';
const DOCUMENT_SHA256 = '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export const CERTIFICATE_EXAMPLE: CertificateJson = {
  type: 'veridity-evidence-certificate/v1',
  public_id: PUBLIC_ID,
  issued_at: EXAMPLE.time,
  platform: { name: 'Veridity', url: 'https://verify.example.com' },
  subject: { display_name: 'Acme Recycling' },
  document: { sha256: DOCUMENT_SHA256, media_type: 'application/json', schema: 'erasure-report/v1' },
  report: {
    device: { type: 'ssd', manufacturer: 'Samsung', model: 'PM9A3', serial: 'S64CNE0R812345', capacity: '960 GB' },
    method: 'purge',
    result: 'success',
    started_at: '2026-03-14T08:02:11.000Z',
    ended_at: '2026-03-14T08:41:57.000Z',
  },
  signer: { subject: 'CN=Erasure station 7,O=Acme Recycling', issuer: 'CN=Acme Recycling Stations CA', serial_number: '4f2a91c3', sha256_fingerprint: 'a3c5e1f0b2d4c6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5' },
  timestamp: null,
  ledger: { kind: 'certificate', public_id: PUBLIC_ID },
};
const JWS_EXAMPLE = 'eyJhbGciOiJFZERTQSIsImtpZCI6IjBmUnE0In0.eyJ0eXBlIjoidmVyaWRpdHktZXZpZGVuY2UtY2VydGlmaWNhdGUvdjEifQ.c2lnbmF0dXJl';

const ANCHOR_EXAMPLE = {
  type: 'veridity-ledger-anchor/v1' as const,
  adapter: 'evm' as const,
  chain_id: 11155111,
  transaction: '0x8c1d6f0e3b4a5c7d9e2f1a0b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d',
  block_number: 7412093,
  from: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  to: '0x000000000000000000000000000000000000dead',
  checkpoint: { tree_size: 42, root_hash: '0x5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef' },
  anchored_at: EXAMPLE.time,
};

const PdfVersionSchema = z.object({
  version: z.number().int().describe('1 for the first PDF rendered; each re-render (after anchoring or a revocation) adds one, the earlier ones are kept'),
  sha256: z.string(),
  status: z.enum(['valid', 'revoked']).describe('the status the PDF states'),
  anchored: z.boolean().describe('the PDF carries the public-chain anchor'),
  created_at: z.string(),
  url: z.string().describe('where to download this version'),
});

export const CertificatePdfQuery = z.strictObject({
  version: z.coerce.number().int().min(1).max(1_000_000).optional().describe('a kept version (see `pdfs`); without it, the current PDF'),
});

export const PublicIdSchema = z.string().regex(PUBLIC_ID_PATTERN, 'must be a certificate public id (26 base32 characters)');
export const CertificateIdParams = z.strictObject({ id: IdParam('crt') });
export const PublicIdParams = z.strictObject({ public_id: PublicIdSchema });

export const CertificateSchema = z
  .object({
    id: z.string().describe('Certificate id (`crt_...`): yours only, never shown publicly'),
    public_id: z.string().describe('What the QR code, the verify page and the ledger entry name'),
    evidence_id: z.string().describe('The evidence (`evd_...`) it certifies'),
    status: z
      .enum(CERTIFICATE_STATUSES)
      .describe('`CERTIFIED_NO_ANCHOR` (issued, logged in the ledger; no public chain anchoring yet), `ANCHORED` (a ledger checkpoint covering it is anchored on a public chain: see `anchor`) or `REVOKED`'),
    document_sha256: z.string(),
    issued_at: z.string().describe('ISO 8601'),
    revoked_at: z.string().nullable(),
    revocation_reason: z.string().nullable().describe('Yours only: the public page says revoked and when, never why'),
    verify_url: z.string().describe('The public page the QR code opens'),
    receipt_url: z.string().describe('The ledger receipt (C2SP tlog-proof): 202 until a checkpoint covers the entry'),
    pdf_url: z.string(),
    json_url: z.string(),
    certificate: CertificateJsonSchema,
    jws: z.string().describe('The certificate as a compact JWS (EdDSA, `kid` from GET /api/v1/certificates/keys); its payload is the canonical JSON of `certificate`'),
    anchor: CertificateAnchorSchema.nullable().describe('The public-chain transaction anchoring the ledger checkpoint that covers it; null until anchored'),
    pdfs: z.array(PdfVersionSchema).describe('Every PDF rendered so far, oldest first (kept: an earlier one stays downloadable with `?version=`)'),
  })
  .meta({
    id: 'Certificate',
    examples: [
      {
        id: CERTIFICATE_ID,
        public_id: PUBLIC_ID,
        evidence_id: 'evd_01m8r4pv8cfa0w5b7q3r9t2k4m',
        status: 'CERTIFIED_NO_ANCHOR',
        document_sha256: DOCUMENT_SHA256,
        issued_at: EXAMPLE.time,
        revoked_at: null,
        revocation_reason: null,
        verify_url: `https://verify.example.com/verify/${PUBLIC_ID}`,
        receipt_url: `/api/v1/receipts/${CERTIFICATE_ID}`,
        pdf_url: `/api/v1/certificates/${CERTIFICATE_ID}/certificate.pdf`,
        json_url: `/api/v1/certificates/${CERTIFICATE_ID}/certificate.json`,
        certificate: CERTIFICATE_EXAMPLE,
        jws: JWS_EXAMPLE,
        anchor: null,
        pdfs: [],
      },
    ],
  });
export type Certificate = z.infer<typeof CertificateSchema>;

export const CertificatePageSchema = z
  .object({
    data: z.array(CertificateSchema),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'CertificatePage' });

export const CertificateListQuery = z.strictObject({
  status: z.enum(CERTIFICATE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: IdParam('crt').optional().describe('`next_cursor` of the previous page'),
});

export const RevokeRequestSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).describe('Why (kept with the certificate, shown to you only)') })
  .meta({ id: 'CertificateRevoke', examples: [{ reason: 'the erasure report named the wrong device serial' }] });

export const CertificatePendingSchema = z
  .object({
    status: z.literal('pending'),
    waiting_for: z.enum(['sequencing', 'checkpoint']).describe('the ledger entry is queued, or sequenced and waiting for the next checkpoint'),
    retry_after_seconds: z.number().int(),
  })
  .meta({ id: 'CertificatePending', description: 'The receipt (and the PDF and JSON bundle, which embed it) exists once a ledger checkpoint covers the entry, a few seconds after issue.' });

export const CertificateBundleSchema = z
  .object({
    certificate: CertificateJsonSchema,
    jws: z.string(),
    receipt: z.string().describe('The ledger receipt of the certificate (C2SP tlog-proof@v1); for an anchored certificate, under the anchored checkpoint'),
    anchor: CertificateAnchorSchema.nullable().describe('The public-chain anchor of that checkpoint; null until anchored'),
  })
  .meta({ id: 'CertificateBundle', description: 'Everything needed to check the certificate offline: `veridity verify-certificate bundle.json --key ... --ledger-key ...`' });

const PublicStatus = z.enum(['valid', 'revoked']).describe('`valid`: issued and not revoked (anchored or not: see `anchor`); `revoked`: the partner revoked it (see `revoked_at`)');

export const PublicCertificateSchema = z
  .object({
    public_id: z.string(),
    status: PublicStatus,
    revoked_at: z.string().nullable(),
    certificate: CertificateJsonSchema,
    jws: z.string(),
    ledger: z.object({
      kind: z.literal('certificate'),
      index: z.number().int().nullable().describe('Position of the entry in the log; null until sequenced'),
      receipt_url: z.string().describe('The receipt (text, C2SP tlog-proof@v1): 202 until a checkpoint covers the entry'),
    }),
    keys_url: z.string().describe('The keys that verify `jws` and the PDF signature'),
    anchor: CertificateAnchorSchema.nullable().describe('The public-chain transaction anchoring the ledger checkpoint that covers it; null until anchored'),
    pdfs: z.array(PdfVersionSchema).describe('The PDFs rendered so far (e.g. the one issued before anchoring and the anchored one), each downloadable'),
  })
  .meta({
    id: 'PublicCertificate',
    description: 'A certificate as anyone sees it: no internal id (no tenant, partner, evidence or certificate id).',
    examples: [
      {
        public_id: PUBLIC_ID,
        status: 'valid',
        revoked_at: null,
        certificate: CERTIFICATE_EXAMPLE,
        jws: JWS_EXAMPLE,
        ledger: { kind: 'certificate', index: 41, receipt_url: `/api/v1/public/certificates/${PUBLIC_ID}/receipt` },
        keys_url: '/api/v1/certificates/keys',
        anchor: ANCHOR_EXAMPLE,
        pdfs: [
          { version: 1, sha256: DOCUMENT_SHA256, status: 'valid', anchored: false, created_at: EXAMPLE.time, url: `/api/v1/public/certificates/${PUBLIC_ID}/certificate.pdf?version=1` },
        ],
      },
    ],
  });
export type PublicCertificate = z.infer<typeof PublicCertificateSchema>;

export const CertificateKeysSchema = z
  .object({
    keys: z
      .array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') }))
      .describe('Ed25519 keys that verify certificate JWSs (active and retired)'),
    pdf_signing_certificates: z
      .array(
        z.object({
          kid: z.string().describe('RFC 7638 thumbprint of the ECDSA P-256 key'),
          alg: z.literal('ES256'),
          x5c: z.array(z.string()).describe('The self-signed X.509 certificate, base64 DER (RFC 7517 §4.7)'),
          pem: z.string(),
          sha256_fingerprint: z.string().describe('SHA-256 of the DER certificate, hex'),
        }),
      )
      .describe('Certificates of the keys that sign certificate PDFs (PAdES), active and retired'),
  })
  .meta({ id: 'CertificateKeys' });
export type CertificateKeys = z.infer<typeof CertificateKeysSchema>;
