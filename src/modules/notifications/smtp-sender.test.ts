import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '#platform/clock.ts';
import { createSmtpSender, redactSmtpUrl } from './smtp-sender.ts';

test('redactSmtpUrl hides the user and password, keeps the host and port', () => {
  assert.equal(redactSmtpUrl('smtps://mailer:s3cr%40t@smtp.example.com:465'), 'smtps://redacted:redacted@smtp.example.com:465');
  assert.equal(redactSmtpUrl('smtp://127.0.0.1:2525'), 'smtp://127.0.0.1:2525');
  assert.equal(redactSmtpUrl('not a url'), '[unparsable SMTP_URL]');
});

test('a refused connection is a temporary failure with no reply code, and its message carries no password', async () => {
  // Port 1 on loopback: nothing listens there.
  const sender = createSmtpSender({ url: 'smtp://mailer:hunter2-secret@127.0.0.1:1', from: 'noreply@veridity.test', timeoutMs: 2_000 }, systemClock);
  const result = await sender.send({ id: 'ntf_test', to: 'ops@acme.example', subject: 's', text: 't', attachments: [] });
  sender.close();
  assert.equal(result.outcome, 'failed');
  assert.equal(result.smtpCode, null);
  assert.equal(result.error?.permanent, false);
  assert.equal(result.error?.code, 'ESOCKET');
  assert.ok(!result.error?.message.includes('hunter2-secret'));
});
