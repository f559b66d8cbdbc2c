import { z } from 'zod';

export const ANCHOR_TYPE = 'veridity-ledger-anchor/v1';

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const Address = z.string().regex(/^0x[0-9a-f]{40}$/);
const Count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Where a certificate's ledger checkpoint was anchored: a transaction on a public chain whose data
 * is the checkpoint's root. It is not signed by the platform and needs no signature: the chain
 * vouches for the transaction, the ledger key for the checkpoint, and a receipt under that
 * checkpoint for the certificate. Attached to anchored PDFs as anchor.json, carried in the bundle.
 */
export const CertificateAnchorSchema = z
  .strictObject({
    type: z.literal(ANCHOR_TYPE),
    adapter: z.literal('evm'),
    chain_id: Count.min(1),
    transaction: Hex32.describe('the transaction hash'),
    block_number: Count,
    from: Address.describe('the platform account that sent it'),
    to: Address,
    checkpoint: z.strictObject({ tree_size: Count.min(1), root_hash: Hex32.describe("the checkpoint's root: the transaction's data") }),
    anchored_at: z.iso.datetime().describe('when the platform saw it confirmed'),
  })
  .meta({ id: 'CertificateAnchor' });
export type CertificateAnchor = z.infer<typeof CertificateAnchorSchema>;

export type CertificateAnchorParse = { ok: true; anchor: CertificateAnchor } | { ok: false; message: string };

export function parseCertificateAnchor(value: unknown): CertificateAnchorParse {
  const parsed = CertificateAnchorSchema.safeParse(value);
  return parsed.success ? { ok: true, anchor: parsed.data } : { ok: false, message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'anchor'}: ${issue.message}`).join('; ') };
}
