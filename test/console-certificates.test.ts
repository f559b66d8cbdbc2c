/**
 * The console's evidence certificates in a real browser, on a certificate issued as the evidence
 * worker issues it (test/certificates.test.ts's path) and covered by a real ledger checkpoint: the
 * partner finds it, downloads its JSON and PDF, checks the JSON in the public checker (valid, every
 * check in the browser but revocation), sees a tampered copy refused, and revokes it after a
 * confirmation, after which the checker says revoked. test/support/console-browser.ts has what
 * every console test checks on each page (axe, no console errors, phone width, screenshots).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Download, Page } from 'playwright-core';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { createLogger } from '#platform/logger.ts';
import { audit, signInAsPartner, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

const PARTNER = 'Console Recycling';

let c: ConsoleBrowser;
let t: TestApp;
let sequencer: LedgerSequencer;
let partner: Record<string, any>;
let certificateId: string;
let publicId: string;

before(async () => {
  c = await startConsoleBrowser();
  t = c.t;
  const clock = { now: () => new Date() };
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock, log: createLogger('silent'), platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });
  partner = await createPartner(t, { name: PARTNER, scopes: ['evidence'] });
  // Issued in a transaction as the evidence worker does, then logged under a signed checkpoint: its JSON and PDF embed that receipt.
  ({ certificateId, publicId } = await issueTestCertificate(t, clock, erasureReportInput(partner.id)));
  assert.equal((await sequencer.runOnce()).checkpoint?.treeSize, 1);
});

after(async () => {
  await sequencer?.stop();
  await c?.close();
});

async function saved(page: Page, button: string): Promise<Buffer> {
  const [download] = (await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()])) as [Download, unknown];
  return readFile((await download.path())!);
}

/** Checks a pasted document in the public checker; its verdict, and each check's status. */
async function checkPasted(page: Page, text: string): Promise<{ verdict: string; checks: Record<string, string> }> {
  await page.getByLabel('…or paste it').fill(text);
  await page.getByRole('button', { name: 'Check certificate' }).click();
  const verdict = page.locator('[data-verdict]');
  await verdict.waitFor();
  const checks = await page.locator('[data-check]').evaluateAll((items) => Object.fromEntries(items.map((item) => [item.getAttribute('data-check'), item.getAttribute('data-status')])));
  return { verdict: (await verdict.getAttribute('data-verdict'))!, checks: checks as Record<string, string> };
}

test('a partner finds its certificate, downloads it, checks it in the public checker and revokes it', { timeout: 600_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await signInAsPartner(page, partner.api_key, PARTNER);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
  await page.getByRole('heading', { name: 'Certificates', level: 1 }).waitFor();
  const row = page.locator(`[data-certificate="${certificateId}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'CERTIFIED_NO_ANCHOR');
  assert.match((await row.textContent())!, /Samsung PM9A3 S64CNE0R812345/);
  await audit(page, 'partner-certificates');

  // The status filter asks the API: nothing revoked yet, and the empty state says so.
  await page.getByLabel('Status').selectOption('REVOKED');
  await page.getByText('No revoked certificates', { exact: false }).waitFor();
  await page.getByLabel('Status').selectOption('all');
  await row.waitFor();

  await page.getByRole('button', { name: `Details of ${certificateId}` }).click();
  const detail = page.locator(`[data-certificate-detail="${certificateId}"]`);
  await detail.getByText(publicId, { exact: true }).waitFor();
  await detail.getByRole('group', { name: 'Signed certificate' }).getByText('"purge"', { exact: true }).waitFor();
  await audit(page, 'partner-certificate-detail');

  const bundleFile = await saved(page, 'Download JSON');
  const bundle = JSON.parse(bundleFile.toString('utf8'));
  assert.equal(bundle.certificate.public_id, publicId);
  assert.match(bundle.receipt, /^c2sp\.org\/tlog-proof@v1\n/);
  assert.equal((await saved(page, 'Download PDF')).subarray(0, 5).toString(), '%PDF-');
  assert.match((await saved(page, 'Download ledger receipt')).toString(), /^c2sp\.org\/tlog-proof@v1\n/);

  // The public checker: the downloaded JSON, dropped as a file, passes every check.
  await detail.getByRole('link', { name: 'Check a receipt or certificate' }).click();
  await page.getByRole('heading', { name: 'Check a receipt or certificate', exact: true }).waitFor();
  await page.getByTestId('pinned-certificate-keys').waitFor();
  await page.locator('input[type="file"]').setInputFiles({ name: `certificate-${publicId}.json`, mimeType: 'application/json', buffer: bundleFile });
  await page.getByRole('button', { name: 'Check certificate' }).click();
  await page.locator('[data-verdict="valid"]').waitFor();
  const checks = await page.locator('[data-check]').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-check')}:${item.getAttribute('data-status')}`));
  assert.deepEqual(checks, ['certificate_signature:passed', 'checkpoint_signature:passed', 'ledger_inclusion:passed', 'anchor:not_applicable', 'not_revoked:passed']);
  await page.getByRole('group', { name: 'Signed certificate' }).getByText(publicId).first().waitFor();
  assert.equal(await page.getByRole('link', { name: 'Prove a claim' }).getAttribute('href'), '/prove');
  await audit(page, 'check-certificate-valid');
  await page.getByRole('button', { name: 'Clear' }).click();

  // Tampered copies: the report says another method than the one signed; the receipt of another entry.
  const tampered = await checkPasted(page, JSON.stringify({ ...bundle, certificate: { ...bundle.certificate, report: { ...bundle.certificate.report, method: 'destroy' } } }));
  assert.equal(tampered.verdict, 'refused');
  assert.deepEqual(tampered.checks, { certificate_signature: 'failed', checkpoint_signature: 'not_run', ledger_inclusion: 'not_run', anchor: 'not_run', not_revoked: 'not_run' });
  assert.match((await page.locator('[data-verdict]').textContent())!, /CERTIFICATE_MISMATCH/);
  await audit(page, 'check-certificate-refused');
  const forgedLeaf = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(/^extra (.+)$/m.exec(bundle.receipt)![1]!, 'base64').toString()), status: 'revoked' })).toString('base64');
  const forged = await checkPasted(page, JSON.stringify({ ...bundle, receipt: bundle.receipt.replace(/^extra .+$/m, `extra ${forgedLeaf}`) }));
  assert.equal(forged.verdict, 'refused');
  assert.equal(forged.checks.ledger_inclusion, 'failed');
  assert.match((await page.locator('[data-verdict]').textContent())!, /INCLUSION_MISMATCH/);

  // Revoke, after a confirmation that wants a reason.
  await page.goto('/console/certificates');
  await page.getByRole('button', { name: `Details of ${certificateId}` }).click();
  await detail.getByRole('button', { name: 'Revoke…' }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${certificateId}?` });
  await dialog.waitFor();
  await audit(page, 'partner-certificate-revoke');
  await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
  await dialog.getByText('Say why').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificateId}`, headers: { 'x-api-key': partner.api_key } })).json().status, 'CERTIFIED_NO_ANCHOR', 'cancelled: not revoked');
  await detail.getByRole('button', { name: 'Revoke…' }).click();
  await dialog.getByLabel('Reason').fill('issued for a console test');
  await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
  await page.locator(`[data-certificate-detail="${certificateId}"][data-status="REVOKED"]`).waitFor();
  await detail.getByText('issued for a console test').waitFor();
  await page.locator(`[data-certificate="${certificateId}"][data-status="REVOKED"]`).waitFor();
  const revoked = (await t.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificateId}`, headers: { 'x-api-key': partner.api_key } })).json();
  assert.equal(revoked.status, 'REVOKED');
  assert.equal(revoked.revocation_reason, 'issued for a console test');
  await audit(page, 'partner-certificate-revoked');

  // The same JSON, still validly signed and logged, is now refused by the one online check.
  await page.goto('/console/check');
  await page.getByTestId('pinned-certificate-keys').waitFor();
  const afterRevocation = await checkPasted(page, bundleFile.toString('utf8'));
  assert.equal(afterRevocation.verdict, 'refused');
  assert.deepEqual(afterRevocation.checks, { certificate_signature: 'passed', checkpoint_signature: 'passed', ledger_inclusion: 'passed', anchor: 'not_applicable', not_revoked: 'failed' });
  assert.match((await page.locator('[data-verdict]').textContent())!, /REVOKED/);

  assert.deepEqual(problems, [], 'no console errors, no CSP violations');
  await context.close();
});
