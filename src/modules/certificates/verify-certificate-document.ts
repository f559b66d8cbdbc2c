import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { getLedgerVerifierKey } from '#modules/ledger/get-ledger-verifier-key.ts';
import type { CertificateBundleVerification, CertificateCheckFailure, CertificateJson, OptionalCheckResult } from './document/index.ts';
import { loadCertificateDocuments } from './load-certificate-documents.ts';
import { certificateReceipt } from './get-certificate-pdf.ts';
import { findCertificateByPublicId } from './get-public-certificate.ts';
import type { PdfSigner } from './pdf-signer.ts';
import { certificateVerificationKeys } from './publish-certificate-keys.ts';

export type CertificateDocument = { kind: 'pdf'; bytes: Uint8Array } | { kind: 'json'; text: string };

/** `not_checked`: an earlier check failed, so this one has nothing trustworthy to check; `not_applicable`: the document has nothing for it (JSON has no PDF signature). */
export type CheckOutcome = 'pass' | 'fail' | 'not_checked' | 'not_applicable';

export const PUBLIC_CHECKS = ['platform_signature', 'ledger_inclusion', 'not_revoked', 'pdf_unmodified', 'anchor'] as const;
type PublicCheck = (typeof PUBLIC_CHECKS)[number];

export type DocumentVerification = {
  /** Every check passed (or does not apply). */
  valid: boolean;
  /** The certificate's public id, once its signature verified. */
  public_id: string | null;
  /** What this platform says of it now (`unknown`: signed by us, yet not on record). */
  status: 'valid' | 'revoked' | 'unknown' | null;
  checks: Record<PublicCheck, CheckOutcome>;
  failures: Array<{ check: PublicCheck; code: string; message: string }>;
  certificate: CertificateJson | null;
};

export type VerifyDocumentDeps = { db: Db; pool: Pool; platformKeys: PlatformKeys; pdfSigner: PdfSigner };

/** The document checks' names, as the public API says them. */
const CHECK_NAMES: Record<string, PublicCheck> = { certificate_signature: 'platform_signature', ledger_receipt: 'ledger_inclusion', pdf_signature: 'pdf_unmodified' };

const outcome = (result: OptionalCheckResult): CheckOutcome => (result === 'not_checked' ? 'not_checked' : result);

/**
 * What POST /api/v1/public/certificates/verify answers: the offline checks of the document
 * (platform signature of the JWS, the ledger receipt with the log's key, and for a PDF its PAdES
 * signature over the whole file by a platform PDF-signing certificate), then what only the
 * platform knows: whether the certificate is on record and not revoked. A document without a
 * receipt (a bare JWS, or one issued seconds ago) is checked against the platform's own receipt.
 */
export async function verifyCertificateDocument(deps: VerifyDocumentDeps, document: CertificateDocument): Promise<DocumentVerification> {
  const trust = { certificateKeys: await certificateVerificationKeys(deps), ledgerKeys: [await getLedgerVerifierKey(deps)] };
  const { checkCertificateReceipt, verifyCertificateBundle, verifyCertificatePdf } = await loadCertificateDocuments();
  let offline: CertificateBundleVerification;
  let pdfSignature: CheckOutcome = 'not_applicable';
  if (document.kind === 'pdf') {
    const checked = await verifyCertificatePdf(document.bytes, { ...trust, pdfSigningCertificates: (await deps.pdfSigner.published()).map((signer) => signer.certificateDer) });
    pdfSignature = checked.checks.pdf_signature;
    offline = checked;
  } else {
    offline = verifyCertificateBundle(document.text, trust);
  }
  let failures: CertificateCheckFailure[] = offline.failures;
  const checks: Record<PublicCheck, CheckOutcome> = {
    platform_signature: offline.checks.certificate_signature,
    ledger_inclusion: outcome(offline.checks.ledger_receipt),
    not_revoked: 'not_checked',
    pdf_unmodified: pdfSignature,
    anchor: offline.checks.anchor,
  };
  const body = offline.body;
  const row = body ? await findCertificateByPublicId(deps, body.public_id) : undefined;
  if (body && row && failures.some((failure) => failure.code === 'RECEIPT_MISSING')) {
    const ours = await certificateReceipt(deps, row);
    const checked = ours.state === 'ready' ? checkCertificateReceipt(ours.receipt, body, trust.ledgerKeys) : undefined;
    failures = failures.filter((failure) => failure.code !== 'RECEIPT_MISSING');
    if (checked?.ok) checks.ledger_inclusion = 'pass';
    else failures.push({ check: 'ledger_receipt', code: checked?.code ?? 'RECEIPT_PENDING', message: checked?.message ?? 'the ledger entry is not covered by a checkpoint yet: retry in a few seconds' });
  }
  let status: DocumentVerification['status'] = null;
  if (body) {
    status = !row ? 'unknown' : row.status === 'REVOKED' ? 'revoked' : 'valid';
    checks.not_revoked = status === 'valid' ? 'pass' : 'fail';
    if (status === 'unknown') failures.push({ check: 'not_revoked', code: 'UNKNOWN_CERTIFICATE', message: `this platform has no certificate ${body.public_id} on record` });
    if (status === 'revoked') failures.push({ check: 'not_revoked', code: 'REVOKED', message: `certificate ${body.public_id} was revoked at ${row!.revokedAt!.toISOString()}` });
  }
  return {
    valid: Object.values(checks).every((result) => result === 'pass' || result === 'not_applicable'),
    public_id: body?.public_id ?? null,
    status,
    checks,
    failures: failures.map((failure) => ({ ...failure, check: CHECK_NAMES[failure.check] ?? (failure.check as PublicCheck) })),
    certificate: body ?? null,
  };
}
