import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeNotificationEmail } from './compose-notification-email.ts';

const issued = {
  certificate_id: 'crt_01aaaaaaaaaaaaaaaaaaaaaaaa',
  public_id: '0abcdefghjkmnpqrstvwxyz012',
  evidence_id: 'evd_01aaaaaaaaaaaaaaaaaaaaaaaa',
  status: 'CERTIFIED_NO_ANCHOR',
  document_sha256: 'ab'.repeat(32),
  verify_url: 'https://veridity.example/verify/0abcdefghjkmnpqrstvwxyz012',
  ts: '2026-01-01T00:00:00.000Z',
};

test('certificate.issued: hash, status and verify URL in the text; the PDF attached, or linked with the reason', () => {
  const pdf = Buffer.from('%PDF-1.7 test');
  const attached = composeNotificationEmail({ eventType: 'certificate.issued', payload: issued, publicUrl: 'https://veridity.example', pdf: { kind: 'attached', pdf }, attachmentLimitBytes: 100 });
  assert.equal(attached.subject, `Certificate issued for document ${'ab'.repeat(8)}`);
  for (const expected of [issued.document_sha256, issued.verify_url, 'CERTIFIED_NO_ANCHOR', 'is attached']) assert.ok(attached.text.includes(expected), expected);
  assert.deepEqual(attached.attachments, [{ filename: `certificate-${issued.public_id}.pdf`, content: pdf, contentType: 'application/pdf' }]);

  const linked = composeNotificationEmail({ eventType: 'certificate.issued', payload: issued, publicUrl: 'https://veridity.example', pdf: { kind: 'linked', reason: 'too_large' }, attachmentLimitBytes: 100 });
  assert.deepEqual(linked.attachments, []);
  assert.ok(linked.text.includes('larger than 100 bytes'));
  assert.ok(linked.text.includes(`https://veridity.example/api/v1/certificates/${issued.certificate_id}/certificate.pdf`));
  const notReady = composeNotificationEmail({ eventType: 'certificate.issued', payload: issued, publicUrl: 'https://veridity.example', pdf: { kind: 'linked', reason: 'not_ready' }, attachmentLimitBytes: 100 });
  assert.ok(notReady.text.includes('not ready yet'));
});

test('evidence.rejected: code, meaning, details, path and what to fix; no attachment', () => {
  const email = composeNotificationEmail({
    eventType: 'evidence.rejected',
    payload: { evidence_id: 'evd_01aaaaaaaaaaaaaaaaaaaaaaaa', sha256: 'cd'.repeat(32), error_code: 'CONTENT_INVALID', explanation: 'does not satisfy the schema', fix: 'Make the report satisfy erasure-report/v1', error_message: 'must be a string', error_path: '/device/serial', ts: '2026-01-01T00:00:00.000Z' },
    publicUrl: 'https://veridity.example',
    attachmentLimitBytes: 100,
  });
  assert.equal(email.subject, 'Evidence rejected: CONTENT_INVALID');
  for (const expected of ['CONTENT_INVALID', 'does not satisfy the schema', 'must be a string', '/device/serial', 'Make the report satisfy erasure-report/v1', 'cd'.repeat(32)]) assert.ok(email.text.includes(expected), expected);
  assert.deepEqual(email.attachments, []);
});
