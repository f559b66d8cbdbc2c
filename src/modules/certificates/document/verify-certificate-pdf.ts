import {
  type CertificateCheckFailure,
  type CertificateContentChecks,
  type CertificateFindings,
  type CertificateTrust,
  type CheckResult,
  checkCertificateParts,
  unreadableCertificate,
} from './check-certificate.ts';
import { locatePdfSignature } from './locate-pdf-signature.ts';
import { readPdfAttachments } from './read-pdf-attachments.ts';
import { ATTACHMENT, type CertificateStatus, STATUS_KEYWORD_PREFIX } from './render-certificate-pdf.ts';
import { verifyPadesCms } from './verify-pades-cms.ts';

export type CertificatePdfTrust = CertificateTrust & {
  /** DER certificates trusted for the PDF signature; empty: only the PDF's integrity is checked. */
  pdfSigningCertificates: readonly Uint8Array[];
};

export type CertificatePdfVerification = CertificateFindings & {
  checks: { pdf_signature: CheckResult } & CertificateContentChecks['checks'];
  /** Who signed the PDF, and whether that certificate is one of the trusted ones. */
  pdfSigner?: { name: string | undefined; trusted: boolean };
  /** The status the PDF was rendered with (covered by the PDF signature, so only as fresh as the PDF). */
  status?: CertificateStatus;
};

/** A certificate PDF is ~20 KB; this leaves room for any receipt and refuses what only wastes time. */
const MAX_PDF_BYTES = 16 * 1024 * 1024;

type PdfSignatureCheck = { ok: true; signer: NonNullable<CertificatePdfVerification['pdfSigner']> } | { ok: false; failure: CertificateCheckFailure };

function checkPdfSignature(pdf: Uint8Array, trust: CertificatePdfTrust): PdfSignatureCheck {
  const signature = locatePdfSignature(pdf);
  const cms = signature.ok ? verifyPadesCms(signature.cms, signature.signedBytes, trust.pdfSigningCertificates) : signature;
  return cms.ok ? { ok: true, signer: { name: cms.signerName, trusted: cms.trusted } } : { ok: false, failure: { check: 'pdf_signature', code: cms.code, message: cms.message } };
}

async function checkContents(pdf: Uint8Array, trust: CertificateTrust): Promise<CertificateContentChecks & { status?: CertificateStatus }> {
  const attachments = await readPdfAttachments(pdf, Object.values(ATTACHMENT));
  if (!attachments.ok) return unreadableCertificate('MALFORMED_PDF', attachments.message, trust);
  const text = (name: string) => {
    const bytes = attachments.files.get(name);
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
  };
  const [jws, shownCertificate] = [text(ATTACHMENT.jws), text(ATTACHMENT.certificate)];
  if (jws === undefined || shownCertificate === undefined) {
    return unreadableCertificate('MISSING_ATTACHMENT', `the PDF has no ${jws === undefined ? ATTACHMENT.jws : ATTACHMENT.certificate} attachment`, trust);
  }
  const status = attachments.keywords
    ?.split(' ')
    .find((word) => word.startsWith(STATUS_KEYWORD_PREFIX))
    ?.slice(STATUS_KEYWORD_PREFIX.length);
  const anchorText = text(ATTACHMENT.anchor);
  let anchor: unknown;
  try {
    anchor = anchorText === undefined ? undefined : (JSON.parse(anchorText) as unknown);
  } catch {
    anchor = anchorText; // not JSON: the anchor check names it malformed
  }
  return {
    ...checkCertificateParts({ jws, shownCertificate, receipt: text(ATTACHMENT.receipt) ?? null, anchor }, trust),
    ...(status === 'valid' || status === 'revoked' ? { status } : {}),
  };
}

/**
 * Checks a certificate PDF offline: its last signature covers the whole file and is a valid PAdES
 * CMS (by a trusted PDF signing certificate when any are given); the embedded certificate.jws
 * verifies with a certificates key and certificate.json is its payload; with ledger keys, the
 * embedded receipt proves the certificate's ledger entry. Each check is reported; never throws.
 */
export async function verifyCertificatePdf(pdf: Uint8Array, trust: CertificatePdfTrust): Promise<CertificatePdfVerification> {
  const isPdf = pdf instanceof Uint8Array && pdf.length <= MAX_PDF_BYTES && Buffer.from(pdf.subarray(0, 1024)).includes('%PDF-');
  const notPdf = `not a PDF (no %PDF- header, or larger than ${MAX_PDF_BYTES} bytes)`;
  const signature: PdfSignatureCheck = isPdf ? checkPdfSignature(pdf, trust) : { ok: false, failure: { check: 'pdf_signature', code: 'MALFORMED_PDF', message: notPdf } };
  const contents = isPdf ? await checkContents(pdf, trust) : unreadableCertificate('MALFORMED_PDF', notPdf, trust);
  const failures = [...(signature.ok ? [] : [signature.failure]), ...contents.failures];
  return {
    ...contents,
    checks: { pdf_signature: signature.ok ? 'pass' : 'fail', ...contents.checks },
    ...(failures[0] ? { failure: failures[0] } : {}),
    failures,
    ...(signature.ok ? { pdfSigner: signature.signer } : {}),
  };
}
