import { createHash } from 'node:crypto';
import { escapeMarkup } from '#platform/http/escape-markup.ts';
import { publicCertificateUrl } from './certificate-urls.ts';
import type { CertificateJson } from './document/index.ts';
import type { PublicCertificateView } from './get-public-certificate.ts';

/**
 * GET /verify/{public_id}: the page a certificate's QR code opens. Server-rendered HTML that
 * works without JavaScript; every value is escaped; it shows only what the public certificate
 * view holds (no partner, evidence or certificate id).
 */

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1f;background:#f5f6f8;margin:0}
header{background:#14213d;color:#fff;padding:12px 24px;font-weight:600;letter-spacing:.02em}
main{max-width:760px;margin:24px auto;padding:0 16px}
.status{border-radius:8px;padding:16px 20px;margin-bottom:20px;color:#fff}
.status h1{margin:0 0 4px;font-size:22px}.status p{margin:0}
.valid{background:#0b7a3b}.revoked{background:#b3261e}.unknown{background:#5f6368}
section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:12px 20px;margin-bottom:16px}
h2{font-size:16px;margin:4px 0 8px}
dl{display:grid;grid-template-columns:190px 1fr;gap:4px 12px;margin:0}
dt{color:#5f6368}dd{margin:0;overflow-wrap:anywhere}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
a{color:#1a56db}footer{color:#5f6368;font-size:13px;margin:24px 0}
`;

/** No script, no other origin: only the inline stylesheet above, by its hash; no form, no frame, no base. */
export const VERIFY_PAGE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    styleSrc: [`'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

const escapeHtml = escapeMarkup;

type Row = readonly [label: string, value: string | number | null, kind?: 'code'];

function list(rows: readonly Row[]): string {
  const items = rows
    .filter((row) => row[1] !== null)
    .map(([label, value, kind]) => `<dt>${escapeHtml(label)}</dt><dd>${kind === 'code' ? `<code>${escapeHtml(value!)}</code>` : escapeHtml(value!)}</dd>`);
  return `<dl>${items.join('')}</dl>`;
}

const section = (title: string, rows: readonly Row[]) => `<section><h2>${escapeHtml(title)}</h2>${list(rows)}</section>`;

const displayTime = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

function summary(body: CertificateJson): string[] {
  const { report } = body;
  const sections = [
    section('Certificate', [
      ['Public ID', body.public_id, 'code'],
      ['Issued at', displayTime(body.issued_at)],
      ['Issued by', `${body.platform.name} (${body.platform.url})`],
      ['Subject', body.subject.display_name],
    ]),
    section('Document', [
      ['SHA-256', body.document.sha256, 'code'],
      ['Media type', body.document.media_type],
      ['Schema', body.document.schema ?? 'none (opaque document)'],
    ]),
  ];
  if (report) {
    sections.push(
      section('Erasure report', [
        ['Device', [report.device.type, report.device.manufacturer, report.device.model].filter((part) => part !== null).join(' · ')],
        ['Serial', report.device.serial],
        ['Capacity', report.device.capacity],
        ['Method (NIST SP 800-88)', report.method],
        ['Result', report.result],
        ['Started', displayTime(report.started_at)],
        ['Ended', displayTime(report.ended_at)],
      ]),
    );
  }
  sections.push(
    section('Signer', [
      ['Subject', body.signer.subject],
      ['Issuer', body.signer.issuer],
      ['Serial number', body.signer.serial_number, 'code'],
      ['SHA-256 fingerprint', body.signer.sha256_fingerprint, 'code'],
      ['Trusted timestamp', body.timestamp ? `${displayTime(body.timestamp.time)} by ${body.timestamp.tsa}` : 'none (the signing time was checked)'],
    ]),
  );
  return sections;
}

function ledgerSection(view: PublicCertificateView): string {
  const { receipt } = view;
  const inclusion =
    receipt.state === 'ready'
      ? `entry ${receipt.index}, included in the signed checkpoint of tree size ${receipt.treeSize}`
      : receipt.waitingFor === 'sequencing'
        ? 'queued for the ledger (a few seconds)'
        : 'in the ledger, waiting for the next signed checkpoint (a few seconds)';
  const links = [
    [publicCertificateUrl(view.certificate.public_id), 'Certificate (signed JSON)'],
    [view.certificate.ledger.receipt_url, 'Ledger receipt'],
    [view.certificate.keys_url, 'Platform keys'],
  ];
  return `<section><h2>Ledger</h2>${list([['Inclusion', inclusion]])}
<p>${links.map(([href, text]) => `<a href="${escapeHtml(href!)}">${escapeHtml(text!)}</a>`).join(' · ')}</p></section>`;
}

/** The public-chain anchor of the checkpoint covering the certificate, and every PDF rendered for it (before and after anchoring). */
function anchorAndDocuments(view: PublicCertificateView): string[] {
  const { anchor, pdfs } = view.certificate;
  const sections: string[] = [];
  sections.push(
    anchor
      ? section('Public chain anchor', [
          ['Chain', `EVM chain id ${anchor.chain_id}`],
          ['Transaction', anchor.transaction, 'code'],
          ['Block', anchor.block_number],
          ['Checkpoint', `tree size ${anchor.checkpoint.tree_size}`],
          ['Checkpoint root', anchor.checkpoint.root_hash, 'code'],
          ['Sent by', anchor.from, 'code'],
          ['Anchored at', displayTime(anchor.anchored_at)],
        ])
      : section('Public chain anchor', [['Anchor', 'not anchored (yet): the certificate is recorded in the ledger above']]),
  );
  if (pdfs.length > 0) {
    const items = pdfs.map(
      (pdf) =>
        `<dt><a href="${escapeHtml(pdf.url)}">PDF version ${pdf.version}</a></dt><dd>${escapeHtml(`${pdf.anchored ? 'with the anchor' : 'before anchoring'}, says ${pdf.status}, rendered ${displayTime(pdf.created_at)}`)}<br><code>SHA-256 ${escapeHtml(pdf.sha256)}</code></dd>`,
    );
    sections.push(`<section><h2>Documents</h2><dl>${items.join('')}</dl></section>`);
  }
  return sections;
}

function statusBanner(view: PublicCertificateView | undefined): string {
  if (!view) return '<div class="status unknown"><h1>Unknown certificate</h1><p>No certificate with this id is on record here. Check the address, or the QR code it came from.</p></div>';
  if (view.certificate.status === 'revoked') {
    return `<div class="status revoked"><h1>Revoked</h1><p>This certificate was revoked on ${escapeHtml(displayTime(view.certificate.revoked_at!))}: do not rely on it.</p></div>`;
  }
  if (view.certificate.anchor) {
    return '<div class="status valid"><h1>Valid · anchored</h1><p>Issued and signed by this platform, recorded in its ledger, anchored on a public chain, not revoked.</p></div>';
  }
  return '<div class="status valid"><h1>Valid</h1><p>Issued and signed by this platform, recorded in its ledger, not revoked.</p></div>';
}

export function renderVerifyPage(view: PublicCertificateView | undefined): string {
  const title = view ? `Certificate ${view.certificate.public_id}` : 'Unknown certificate';
  const details = view ? [...summary(view.certificate.certificate), ledgerSection(view), ...anchorAndDocuments(view)].join('\n') : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · Veridity</title>
<style>${STYLE}</style>
</head>
<body>
<header>Veridity · evidence certificate</header>
<main>
${statusBanner(view)}
${details}
<footer>Check a certificate PDF or JSON yourself: POST it to <code>/api/v1/public/certificates/verify</code>, or offline with <code>veridity verify-certificate</code> and the keys above.</footer>
</main>
</body>
</html>
`;
}
