import { z } from 'zod';
import { CERTIFICATE_TYPE } from '#client/certificates.ts';

export { CERTIFICATE_TYPE };
export const SANITIZATION_METHODS = ['clear', 'purge', 'destroy'] as const;

const Text = z.string().min(1).max(1024);
const OptionalText = Text.nullable();
const Instant = z.iso.datetime({ offset: false });
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in lowercase hex');

/**
 * The certificate body: what the platform signs (JWS), embeds in the PDF and serves as JSON.
 * Strict objects: a field this version does not define makes the body invalid rather than
 * silently shown or ignored (a new field means a new `type`).
 */
export const CertificateJsonSchema = z
  .strictObject({
    type: z.literal(CERTIFICATE_TYPE),
    public_id: Text.describe('the public id the QR code and /verify/{public_id} use'),
    issued_at: Instant,
    platform: z.strictObject({ name: Text, url: Text }),
    subject: z.strictObject({ display_name: Text.describe("the partner's display name") }),
    document: z.strictObject({ sha256: Sha256Hex, media_type: Text, schema: OptionalText.describe('e.g. erasure-report/v1; null for an opaque document') }),
    report: z
      .strictObject({
        device: z.strictObject({
          type: Text,
          manufacturer: OptionalText,
          model: OptionalText,
          serial: OptionalText,
          capacity: z.union([Text, z.number().nonnegative()]).nullable().describe('as the report states it (bytes, or text such as "512 GB")'),
        }),
        method: z.enum(SANITIZATION_METHODS).describe('NIST SP 800-88 Rev. 1 sanitization method'),
        result: Text,
        started_at: Instant,
        ended_at: Instant,
      })
      .nullable()
      .describe('summary of an erasure report; null for an opaque document'),
    signer: z.strictObject({ subject: Text, issuer: Text, serial_number: Text, sha256_fingerprint: Sha256Hex }),
    timestamp: z.strictObject({ time: Instant, tsa: Text }).nullable().describe('the trusted RFC 3161 signature timestamp, when the evidence carried one'),
    ledger: z.strictObject({ kind: z.literal('certificate'), public_id: Text }).describe('the ledger entry that records this certificate'),
  })
  .meta({ id: 'EvidenceCertificate' });

export type CertificateJson = z.infer<typeof CertificateJsonSchema>;

export type CertificateJsonParse = { ok: true; body: CertificateJson } | { ok: false; message: string };

/** Checks that a parsed JSON value is a certificate body; the message names the first offending path. */
export function parseCertificateJson(value: unknown): CertificateJsonParse {
  const parsed = CertificateJsonSchema.safeParse(value);
  if (parsed.success) return { ok: true, body: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `not a ${CERTIFICATE_TYPE} body: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
}
