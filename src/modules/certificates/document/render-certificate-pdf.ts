import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { AFRelationship, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import type { CertificateAnchor } from './certificate-anchor.ts';
import { CERTIFICATE_TYPE, type CertificateJson } from './certificate-json.ts';
import type { PdfSigner } from './create-cades-signature.ts';
import { drawQrCode } from './draw-qr-code.ts';
import { encodableText, firstLines, wrapText } from './pdf-text.ts';
import { assertCertificateJson } from './sign-certificate.ts';
import { signPdf } from './sign-pdf.ts';
import { subjectCommonName } from './x509-name.ts';

export type CertificateStatus = 'valid' | 'revoked';

export type CertificatePdfInput = {
  body: CertificateJson;
  /** signCertificate(body, ...): embedded as certificate.jws. */
  jws: string;
  /** The ledger receipt (tlog-proof text), embedded as receipt.txt when present. */
  receipt: string | null;
  /** The certificate's ledger entry index; null while it waits for a checkpoint. */
  ledgerIndex: number | null;
  /** What the QR code encodes (the public verify page), printed under it. */
  verifyUrl: string;
  status: CertificateStatus;
  /** Where the checkpoint the receipt is under was anchored (the receipt must then be under it); null when not anchored. */
  anchor: CertificateAnchor | null;
};

export type CertificatePdfSigner = PdfSigner & {
  /** The claimed signing time (/M of the signature dictionary); now when absent. */
  signingTime?: Date;
};

/** The names the verifier looks the attachments up by. */
export const ATTACHMENT = { certificate: 'certificate.json', jws: 'certificate.jws', receipt: 'receipt.txt', anchor: 'anchor.json' } as const;

/** The document keywords carry the status the PDF was rendered with, covered by the PDF signature. */
export const STATUS_KEYWORD_PREFIX = 'status:';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const LABEL_WIDTH = 130;
const VALUE_X = MARGIN + LABEL_WIDTH;
const VALUE_WIDTH = A4.width - MARGIN - VALUE_X;
const QR_SIZE = 130;
const MAX_VALUE_LINES = 3;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.4, 0.42, 0.46);
const STATUS_COLOR = { valid: rgb(0.05, 0.45, 0.2), revoked: rgb(0.75, 0.1, 0.1) } as const;
/** Room the CMS may take in /Contents beyond the certificates it embeds (attributes, signature, structure). */
const CMS_OVERHEAD_BYTES = 2048;

type Fonts = { regular: PDFFont; bold: PDFFont };
type Row = readonly [label: string, value: string];
type Section = { title: string; rows: readonly Row[] };

/** "2025-01-31 09:12:03 UTC" from an ISO 8601 UTC instant. */
function displayTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

/** A hex digest in groups of eight, so it can be read aloud and compared by eye. */
function grouped(hex: string): string {
  return hex.match(/.{1,8}/g)!.join(' ');
}

/** Bytes as the report gives them, with the decimal gigabytes drives are sold by. */
function displayCapacity(capacity: string | number | null): string {
  if (capacity === null) return '-';
  if (typeof capacity === 'string') return capacity;
  return capacity >= 1e9 ? `${capacity} bytes (${(capacity / 1e9).toFixed(1)} GB)` : `${capacity} bytes`;
}

function sections(input: CertificatePdfInput): Section[] {
  const { body } = input;
  const result: Section[] = [
    {
      title: 'Certificate',
      rows: [
        ['Public ID', body.public_id],
        ['Issued at', displayTime(body.issued_at)],
        ['Issued by', `${body.platform.name} (${body.platform.url})`],
        ['Subject', body.subject.display_name],
      ],
    },
    {
      title: 'Document',
      rows: [
        ['SHA-256', grouped(body.document.sha256)],
        ['Media type', body.document.media_type],
        ['Schema', body.document.schema ?? 'none (opaque document)'],
      ],
    },
  ];
  if (body.report) {
    const { device } = body.report;
    result.push({
      title: 'Erasure report',
      rows: [
        ['Device', [device.type, device.manufacturer, device.model].filter((part) => part !== null).join(', ')],
        ['Serial number', device.serial ?? '-'],
        ['Capacity', displayCapacity(device.capacity)],
        ['Method', `${body.report.method} (NIST SP 800-88 Rev. 1)`],
        ['Result', body.report.result],
        ['Started', displayTime(body.report.started_at)],
        ['Ended', displayTime(body.report.ended_at)],
      ],
    });
  }
  result.push({
    title: 'Evidence signer',
    rows: [
      ['Subject', body.signer.subject],
      ['Issuer', body.signer.issuer],
      ['Serial number', body.signer.serial_number],
      ['SHA-256 fingerprint', grouped(body.signer.sha256_fingerprint)],
    ],
  });
  if (body.timestamp) result.push({ title: 'Signature timestamp', rows: [['Time', displayTime(body.timestamp.time)], ['Authority', body.timestamp.tsa]] });
  result.push({
    title: 'Ledger',
    rows: [
      ['Entry index', input.ledgerIndex === null ? 'pending (recorded, awaiting the next signed checkpoint)' : String(input.ledgerIndex)],
      ['Receipt', input.receipt === null ? 'not yet available: fetch it from the verify page' : `embedded as ${ATTACHMENT.receipt}`],
    ],
  });
  if (input.anchor) {
    const { anchor } = input;
    result.push({
      title: 'Public chain anchor',
      rows: [
        ['Chain', `EVM chain id ${anchor.chain_id}`],
        ['Transaction', anchor.transaction],
        ['Block', String(anchor.block_number)],
        ['Checkpoint', `tree size ${anchor.checkpoint.tree_size}, root ${anchor.checkpoint.root_hash} (the transaction's data)`],
        ['Anchored at', `${displayTime(anchor.anchored_at)}; details in ${ATTACHMENT.anchor}`],
      ],
    });
  }
  return result;
}

/** Draws lines downwards from y (the first baseline); returns the y below the last line. */
function drawLines(page: PDFPage, lines: readonly string[], at: { x: number; y: number; font: PDFFont; size: number; color?: typeof INK }): number {
  let y = at.y;
  for (const line of lines) {
    page.drawText(line, { x: at.x, y, font: at.font, size: at.size, color: at.color ?? INK });
    y -= at.size * 1.3;
  }
  return y;
}

function drawHeader(page: PDFPage, fonts: Fonts, input: CertificatePdfInput): number {
  const textWidth = A4.width - 2 * MARGIN - QR_SIZE - 20;
  let y = A4.height - MARGIN - 10;
  y = drawLines(page, wrapText(input.body.platform.name, fonts.regular, 11, textWidth), { x: MARGIN, y, font: fonts.regular, size: 11, color: MUTED });
  y = drawLines(page, ['Evidence certificate'], { x: MARGIN, y: y - 12, font: fonts.bold, size: 24 });

  const statusText = input.status === 'valid' ? 'VALID' : 'REVOKED';
  const badgeWidth = fonts.bold.widthOfTextAtSize(statusText, 14) + 20;
  page.drawRectangle({ x: MARGIN, y: y - 16, width: badgeWidth, height: 24, color: STATUS_COLOR[input.status] });
  page.drawText(statusText, { x: MARGIN + 10, y: y - 9, font: fonts.bold, size: 14, color: rgb(1, 1, 1) });
  const note =
    input.status === 'valid'
      ? 'The signed evidence was verified and certified. Scan the code or open the address below it to see the current status.'
      : 'This certificate has been REVOKED by the platform. Do not rely on it.';
  y = drawLines(page, wrapText(note, fonts.regular, 9.5, textWidth), { x: MARGIN, y: y - 34, font: fonts.regular, size: 9.5, color: input.status === 'valid' ? MUTED : STATUS_COLOR.revoked });

  const qrX = A4.width - MARGIN - QR_SIZE;
  const qrY = A4.height - MARGIN - QR_SIZE;
  drawQrCode(page, input.verifyUrl, { x: qrX, y: qrY, size: QR_SIZE });
  const urlLines = firstLines(wrapText(input.verifyUrl, fonts.regular, 7, QR_SIZE), 4);
  const qrBottom = drawLines(page, urlLines, { x: qrX, y: qrY - 9, font: fonts.regular, size: 7, color: MUTED });
  return Math.min(y, qrBottom) - 10;
}

function drawSection(page: PDFPage, fonts: Fonts, section: Section, top: number): number {
  let y = top - 14;
  page.drawText(encodableText(section.title, fonts.bold), { x: MARGIN, y, font: fonts.bold, size: 11.5, color: INK });
  page.drawLine({ start: { x: MARGIN, y: y - 4 }, end: { x: A4.width - MARGIN, y: y - 4 }, thickness: 0.5, color: MUTED });
  y -= 18;
  for (const [label, value] of section.rows) {
    page.drawText(label, { x: MARGIN, y, font: fonts.bold, size: 9, color: MUTED });
    y = drawLines(page, firstLines(wrapText(value, fonts.regular, 9.5, VALUE_WIDTH), MAX_VALUE_LINES), { x: VALUE_X, y, font: fonts.regular, size: 9.5 }) - 3;
  }
  return y;
}

function drawFooter(page: PDFPage, fonts: Fonts, input: CertificatePdfInput): void {
  const text =
    `This PDF is signed by ${input.body.platform.name} (PAdES) and embeds the signed certificate (${ATTACHMENT.jws}, ${ATTACHMENT.certificate})` +
    `${input.receipt === null ? '' : ` and its ledger receipt (${ATTACHMENT.receipt})`}. Check it offline with: ` +
    'veridity verify-certificate <this file> --key <certificates key> --ledger-key <ledger key>';
  drawLines(page, wrapText(text, fonts.regular, 7.5, A4.width - 2 * MARGIN), { x: MARGIN, y: MARGIN, font: fonts.regular, size: 7.5, color: MUTED });
}

/** pdf-lib writes the signature dictionary's strings raw between parentheses: printable ASCII, escaped. */
function literalString(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, '\\$&');
}

/** A generous placeholder: the CMS holds the whole chain. */
function signatureLength(signer: PdfSigner): number {
  const certificateBytes = signer.certificateChainDer.reduce((total, der) => total + der.length, 0);
  return 2 * (certificateBytes + CMS_OVERHEAD_BYTES);
}

/**
 * The certificate as a one-page A4 PDF, signed by the platform (PAdES B-B, ETSI.CAdES.detached):
 * status, summary, QR code to the verify page; the canonical body, its JWS and the ledger receipt
 * as attachments. Apart from the signature the bytes depend only on the input (dates from issued_at).
 */
export async function renderCertificatePdf(input: CertificatePdfInput, signer: CertificatePdfSigner): Promise<Uint8Array> {
  const { body } = input;
  assertCertificateJson(body);
  const issuedAt = new Date(body.issued_at);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`Evidence certificate ${body.public_id}`);
  doc.setAuthor(body.platform.name);
  doc.setSubject(`Certificate for the document with SHA-256 ${body.document.sha256}`);
  doc.setKeywords([CERTIFICATE_TYPE, `${STATUS_KEYWORD_PREFIX}${input.status}`]);
  doc.setProducer('Veridity');
  doc.setCreator('Veridity');
  doc.setLanguage('en');
  doc.setCreationDate(issuedAt);
  doc.setModificationDate(issuedAt);

  const fonts = { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
  const page = doc.addPage([A4.width, A4.height]);
  let y = drawHeader(page, fonts, input);
  for (const section of sections(input)) y = drawSection(page, fonts, section, y);
  drawFooter(page, fonts, input);

  const attach = (bytes: Uint8Array, name: string, mimeType: string, description: string) =>
    doc.attach(bytes, name, { mimeType, description, creationDate: issuedAt, modificationDate: issuedAt, afRelationship: AFRelationship.Data });
  await attach(canonicalJsonBytes(body), ATTACHMENT.certificate, 'application/json', 'The certificate (RFC 8785 canonical JSON), as signed in certificate.jws');
  await attach(Buffer.from(input.jws, 'ascii'), ATTACHMENT.jws, 'application/jose', "The certificate signed with the platform's certificates key (compact JWS, EdDSA)");
  if (input.receipt !== null) await attach(Buffer.from(input.receipt, 'utf8'), ATTACHMENT.receipt, 'text/plain', 'Ledger receipt (c2sp.org/tlog-proof@v1) of this certificate');
  if (input.anchor) await attach(canonicalJsonBytes(input.anchor), ATTACHMENT.anchor, 'application/json', 'The public-chain transaction that anchors the checkpoint the receipt is under');

  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: literalString(`Evidence certificate ${body.public_id} issued by ${body.platform.name}`),
    contactInfo: literalString(body.platform.url),
    name: literalString(subjectCommonName(signer.certificateChainDer[0] ?? new Uint8Array()) ?? body.platform.name),
    location: literalString(body.platform.url),
    signingTime: signer.signingTime ?? new Date(),
    signatureLength: signatureLength(signer),
    subFilter: 'ETSI.CAdES.detached',
    appName: 'Veridity',
  });
  return signPdf(await doc.save({ useObjectStreams: false }), signer);
}
