import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { PublicCertificateView } from './get-public-certificate.ts';
import { CERTIFICATE_EXAMPLE } from './schema.ts';
import { renderVerifyPage, VERIFY_PAGE_CSP } from './verify-page.ts';

const HOSTILE = '<script>alert("x")</script>&\'';

function view(overrides: Partial<PublicCertificateView['certificate']> = {}, receipt: PublicCertificateView['receipt'] = { state: 'ready', receipt: 'r', index: 41, treeSize: 42 }): PublicCertificateView {
  const body = { ...CERTIFICATE_EXAMPLE, subject: { display_name: HOSTILE }, signer: { ...CERTIFICATE_EXAMPLE.signer, subject: HOSTILE } };
  return {
    receipt,
    certificateId: 'crt_00000000000000000000000000',
    certificate: {
      public_id: body.public_id,
      status: 'valid',
      revoked_at: null,
      certificate: body,
      jws: 'a.b.c',
      ledger: { kind: 'certificate', index: 41, receipt_url: `/api/v1/public/certificates/${body.public_id}/receipt` },
      keys_url: '/api/v1/certificates/keys',
      anchor: null,
      pdfs: [],
      ...overrides,
    },
  };
}

test('every value is escaped: a hostile display name or signer subject stays text', () => {
  const html = renderVerifyPage(view());
  assert.ok(!html.includes(HOSTILE));
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<h1>Valid<\/h1>/);
  assert.match(html, /entry 41, included in the signed checkpoint of tree size 42/);
});

test('revoked, pending and unknown pages', () => {
  assert.match(renderVerifyPage(view({ status: 'revoked', revoked_at: '2026-03-15T10:00:00.000Z' })), /<h1>Revoked<\/h1><p>This certificate was revoked on 2026-03-15 10:00:00 UTC/);
  assert.match(renderVerifyPage(view({}, { state: 'pending', waitingFor: 'checkpoint' })), /waiting for the next signed checkpoint/);
  const unknown = renderVerifyPage(undefined);
  assert.match(unknown, /<h1>Unknown certificate<\/h1>/);
  assert.doesNotMatch(unknown, /<section>/);
});

test('the CSP allows exactly the inline stylesheet the page carries, and nothing else', () => {
  const html = renderVerifyPage(view());
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  assert.deepEqual(VERIFY_PAGE_CSP.directives.styleSrc, [`'sha256-${createHash('sha256').update(style).digest('base64')}'`]);
  assert.deepEqual(VERIFY_PAGE_CSP.directives.defaultSrc, ["'none'"]);
  assert.equal('scriptSrc' in VERIFY_PAGE_CSP.directives, false);
});
