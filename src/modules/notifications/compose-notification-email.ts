import type { CertificateIssuedNotice, EvidenceRejectedNotice, NotificationEventType } from './notification-events.ts';

/** How the certificate PDF goes with the e-mail: attached, or a link (over the size limit, or not rendered in time). */
export type PdfPart = { kind: 'attached'; pdf: Buffer } | { kind: 'linked'; reason: 'too_large' | 'not_ready' };

export type ComposedEmail = {
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
};

/** The partner API's PDF download (needs the partner's API key), under PUBLIC_URL. */
export function certificatePdfUrl(publicUrl: string, certificateId: string): string {
  return `${publicUrl}/api/v1/certificates/${certificateId}/certificate.pdf`;
}

/** The public receipt of a rejection (the ledger logs rejections too). */
function rejectionReceiptUrl(publicUrl: string, evidenceId: string): string {
  return `${publicUrl}/api/v1/receipts/${evidenceId}`;
}

function certificateIssued(notice: CertificateIssuedNotice, publicUrl: string, pdf: PdfPart, attachmentLimitBytes: number): ComposedEmail {
  const pdfLine =
    pdf.kind === 'attached'
      ? `The signed certificate PDF is attached (certificate-${notice.public_id}.pdf).`
      : pdf.reason === 'too_large'
        ? `The signed certificate PDF is larger than ${attachmentLimitBytes} bytes, so it is not attached; download it (with your API key):\n  ${certificatePdfUrl(publicUrl, notice.certificate_id)}`
        : `The signed certificate PDF was not ready yet; download it (with your API key):\n  ${certificatePdfUrl(publicUrl, notice.certificate_id)}`;
  const text = [
    'A certificate was issued for your evidence.',
    '',
    `Status:            ${notice.status}`,
    `Document SHA-256:  ${notice.document_sha256}`,
    `Evidence:          ${notice.evidence_id}`,
    `Certificate:       ${notice.certificate_id}`,
    `Issued at:         ${notice.ts}`,
    '',
    'Anyone can check it here:',
    `  ${notice.verify_url}`,
    '',
    pdfLine,
    '',
  ].join('\n');
  return {
    subject: `Certificate issued for document ${notice.document_sha256.slice(0, 16)}`,
    text,
    attachments: pdf.kind === 'attached' ? [{ filename: `certificate-${notice.public_id}.pdf`, content: pdf.pdf, contentType: 'application/pdf' }] : [],
  };
}

function evidenceRejected(notice: EvidenceRejectedNotice, publicUrl: string): ComposedEmail {
  const text = [
    'Your evidence was rejected; no certificate was issued.',
    '',
    `Status:            rejected`,
    `Error code:        ${notice.error_code}`,
    `What it means:     ${notice.explanation}`,
    `Details:           ${notice.error_message}`,
    ...(notice.error_path ? [`Where:             ${notice.error_path}`] : []),
    `Evidence:          ${notice.evidence_id}`,
    `Submitted DER SHA-256: ${notice.sha256}`,
    `Decided at:        ${notice.ts}`,
    '',
    'What to fix:',
    `  ${notice.fix}`,
    '',
    'The rejection is in the ledger; its receipt (with your API key):',
    `  ${rejectionReceiptUrl(publicUrl, notice.evidence_id)}`,
    '',
  ].join('\n');
  return { subject: `Evidence rejected: ${notice.error_code}`, text, attachments: [] };
}

/** The plain-text e-mail of one notification (the payload as its producer wrote it). */
export function composeNotificationEmail(input: {
  eventType: NotificationEventType;
  payload: Record<string, unknown>;
  publicUrl: string;
  /** For `certificate.issued`. */
  pdf?: PdfPart;
  attachmentLimitBytes: number;
}): ComposedEmail {
  if (input.eventType === 'certificate.issued') {
    return certificateIssued(input.payload as CertificateIssuedNotice, input.publicUrl, input.pdf ?? { kind: 'linked', reason: 'not_ready' }, input.attachmentLimitBytes);
  }
  return evidenceRejected(input.payload as EvidenceRejectedNotice, input.publicUrl);
}
