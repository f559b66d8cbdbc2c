/**
 * The web console (/console) in a real browser, billing: the operator switches a partner on a plan
 * to prepaid credits, is refused a refund beyond its charges (the API's message and request id),
 * and records a deposit, all from the partners list's Balance dialog; the partner, with real usage
 * (certificates issued as the evidence worker issues them, charged and invoiced by the global
 * manager's own tasks over a closed month), sees its plan, usage against the quotas, balance, the
 * evidence waiting for credits and its transactions, and downloads its invoice as PDF and CSV.
 * The server runs on a test clock (a month has to close); the browser's clock is set to the same.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Clock } from '#platform/clock.ts';
import { chargeUsage } from '#modules/billing/charge-usage.ts';
import { invoiceFinalizationTask } from '#modules/billing/global-manager-tasks.ts';
import { aggregateUsage } from '#modules/metering/aggregate-usage.ts';
import { audit, signInAsOperator, signInAsPartner, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');

let now = new Date('2026-03-10T12:00:00Z');
const clock: Clock = { now: () => now };
let c: ConsoleBrowser;
let t: TestApp;

before(async () => {
  c = await startConsoleBrowser({ clock });
  t = c.t;
  // Starter for this month (no partner is on it yet): 1 certificate included, then 1.00 each.
  const starter = (await t.admin('GET', '/api/admin/plans/starter')).json().current;
  delete starter.version;
  delete starter.effective_from;
  const edited = await t.admin('PUT', '/api/admin/plans/starter?effective=now', { ...starter, products: { ...starter.products, evidence_certificate: { included_per_month: 1, unit_price: 100 } } });
  assert.equal(edited.statusCode, 200, edited.body);
});

after(async () => c?.close());

const charge = () => chargeUsage({ pool: t.database.pool }, { now, currency: 'EUR' });
const asPartner = (apiKey: string, url: string, init: RequestInit = {}) => fetch(`${c.baseUrl}${url}`, { ...init, headers: { 'x-api-key': apiKey, ...init.headers } });

async function issueCertificates(clientId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await issueTestCertificate(t, clock, erasureReportInput(clientId));
}

test('the operator puts a partner on prepaid credits and records a deposit; the partner sees its plan, usage, balance and transactions, and downloads its invoice', { timeout: 600_000 }, async () => {
  const partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence'] });
  const anchors = await asPartner(partner.api_key, '/api/v1/evidence/trust-anchors', {
    method: 'PUT',
    headers: { 'content-type': 'application/x-pem-file' },
    body: (await Promise.all(['ec-root-ca.pem', 'rsa-root-ca.pem'].map((name) => readFile(path.join(FIXTURES, name), 'utf8')))).join('\n'),
  });
  assert.equal(anchors.status, 200, await anchors.text());
  assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' })).statusCode, 200);

  // March: two certificates, one beyond the included one: 1.00 charged. The month closes, and the
  // global manager's tasks aggregate it and finalize its invoice after the grace.
  await issueCertificates(partner.id, 2);
  await charge();
  now = new Date('2026-04-01T00:30:00Z');
  await aggregateUsage(t.database, { now });
  const finalized = await invoiceFinalizationTask({ currency: 'EUR', graceMinutes: 15 }).run(
    { pool: t.database.pool, db: t.database.db, storage: t.storage, platformKeys: t.platformKeys, log: undefined as never },
    { now, signal: new AbortController().signal },
  );
  assert.equal(finalized.finalized, 1);
  // April: two more, 1.00 more charged. The balance stands at -2.00.
  now = new Date('2026-04-10T11:00:00Z');
  await issueCertificates(partner.id, 2);
  await charge();
  now = new Date('2026-04-10T12:00:00Z');

  // The operator: the partner's balance, from the partners list.
  const operator = await c.newPage();
  const op = operator.page;
  await signInAsOperator(op, t.adminToken);
  await op.getByRole('button', { name: 'Balance of Acme Recycling' }).click();
  const dialog = op.getByRole('dialog', { name: 'Balance of Acme Recycling' });
  const opFigure = (label: string) => dialog.locator(`[data-figure="${label}"]`);
  await opFigure('Balance').filter({ hasText: '2.00' }).waitFor();
  assert.match((await opFigure('Balance').textContent())!, /^-€2\.00$/);
  assert.equal(await opFigure('Billing').textContent(), 'Invoiced');
  await audit(op, 'partner-balance');

  // Prepaid, after a confirmation: with a negative balance, billable calls are refused.
  await dialog.getByRole('button', { name: 'Switch to prepaid credits' }).click();
  await dialog.getByRole('button', { name: 'Confirm: switch to prepaid credits' }).click();
  await opFigure('Billing').filter({ hasText: 'Prepaid credits' }).waitFor();
  assert.equal(await opFigure('Billable calls').textContent(), 'Refused: balance used up');

  // A refund beyond the 2.00 charged: the API's refusal, its message and request id.
  await dialog.getByLabel('Kind').selectOption('refund');
  await dialog.getByLabel('Amount (EUR)').fill('5');
  await dialog.getByRole('button', { name: 'Record refund' }).click();
  await dialog.getByText('Say why: the partner sees it with the transaction').waitFor();
  await dialog.getByLabel('Reason').fill('goodwill');
  await dialog.getByRole('button', { name: 'Record refund' }).click();
  await dialog.getByText('Record a refund of €5.00 for Acme Recycling?').waitFor();
  await dialog.getByRole('button', { name: 'Confirm refund' }).click();
  const refused = dialog.getByRole('alert').filter({ hasText: 'Could not record the refund' });
  await refused.getByText('a refund cannot exceed what was charged and not refunded yet: 200').waitFor();
  await refused.getByText(/CONFLICT · request id req_/).waitFor();
  await audit(op, 'partner-balance-refused');
  await dialog.getByRole('button', { name: 'Change' }).click();

  // The partner submits evidence while out of credits: taken in, waiting.
  const submitted = await asPartner(partner.api_key, '/api/v1/proofs', { method: 'POST', headers: { 'content-type': 'application/pkcs7-mime' }, body: await readFile(path.join(FIXTURES, 'ec-embedded.der')) });
  assert.equal(submitted.status, 202);
  assert.equal(((await submitted.json()) as { status: string }).status, 'awaiting_credits');

  // The partner, its browser on the same clock as the server.
  const partnerSide = await c.newPage();
  const page = partnerSide.page;
  await page.clock.setFixedTime(now);
  await signInAsPartner(page, partner.api_key, 'Acme Recycling');
  await page.getByRole('link', { name: 'Billing' }).click();
  await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
  const figure = (label: string) => page.locator(`[data-figure="${label}"]`);
  const { plan } = (await (await asPartner(partner.api_key, '/api/v1/billing/plan')).json()) as { plan: { current: { version: number } } };
  await figure('Plan').filter({ hasText: `Starter (version ${plan.current.version})` }).waitFor();
  assert.equal(await figure('Rate limit').textContent(), '60 per minute');
  assert.equal(await figure('Monthly spending cap').textContent(), '€100.00');
  // April's usage against the quotas: the second certificate is beyond the included one (issued directly, no verification was counted).
  await page.locator('[data-usage="evidence_certificate"]').filter({ hasText: '2 of 1 · 1 beyond' }).waitFor();
  assert.equal(await page.locator('[data-usage="evidence_verification"]').textContent(), '0 of 100');
  assert.equal(await page.locator('[data-meter="evidence_certificate"]').getAttribute('data-state'), 'over');
  assert.equal(await page.locator('[data-meter="evidence_verification"]').getAttribute('data-state'), 'within');
  assert.equal(await figure('Beyond included so far').textContent(), '€1.00');
  // The balance, why billable calls are refused, and the evidence waiting for credits.
  assert.equal(await figure('Balance').textContent(), '-€2.00');
  assert.equal(await figure('Billing').textContent(), 'Prepaid credits');
  await page.locator('[data-over-cap="BALANCE_EXHAUSTED"]').getByText('Prepaid balance used up').waitFor();
  await page.locator('[data-awaiting-credits="1"]').getByText('1 submission waits for credits').waitFor();
  // The transactions: March's and April's charges, newest first.
  const rows = page.locator('[data-transaction]');
  await rows.first().waitFor();
  assert.deepEqual(await rows.evaluateAll((elements) => elements.map((element) => [element.getAttribute('data-kind'), element.querySelector('[data-amount]')?.getAttribute('data-amount')])), [
    ['charge', '-100'],
    ['charge', '-100'],
  ]);
  await rows.first().getByText('Usage of April 2026').waitFor();
  // Invoices, newest first: April's draft, March's finalized.
  const invoices = page.locator('[data-invoice]');
  assert.deepEqual(await invoices.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-status'))), ['draft', 'finalized']);
  await audit(page, 'billing');

  await page.getByLabel('Kind').selectOption('deposit');
  await page.getByText('No deposit transactions').waitFor();

  // March's invoice: its lines, then the PDF and the CSV, downloaded with the session.
  await page.getByRole('button', { name: 'Details of EUR-2026-000001' }).click();
  const detail = page.getByRole('dialog', { name: 'EUR-2026-000001' });
  await detail.locator('[data-line="evidence_certificate"]').getByText('1 × €1.00').waitFor();
  assert.equal(await detail.locator('[data-figure="Total"]').textContent(), '€1.00');
  await audit(page, 'billing-invoice');
  const pdf = page.waitForEvent('download');
  await detail.getByRole('button', { name: 'PDF of EUR-2026-000001' }).click();
  assert.equal((await pdf).suggestedFilename(), 'invoice-EUR-2026-000001.pdf');
  assert.equal((await readFile((await (await pdf).path())!)).subarray(0, 5).toString(), '%PDF-');
  const csv = page.waitForEvent('download');
  await detail.getByRole('button', { name: 'CSV of EUR-2026-000001' }).click();
  assert.equal((await csv).suggestedFilename(), 'invoice-EUR-2026-000001.csv');
  const csvText = await readFile((await (await csv).path())!, 'utf8');
  const invoiceId = await page.locator('[data-invoice-detail]').getAttribute('data-invoice-detail');
  assert.equal(csvText, await (await asPartner(partner.api_key, `/api/v1/billing/invoices/${invoiceId}.csv`)).text());
  assert.match(csvText, new RegExp(`^${invoiceId},EUR-2026-000001,finalized,2026-03,${partner.id},Acme Recycling,EUR,evidence_certificate,2,1,1,100,100\\r$`, 'm'));
  await detail.getByRole('button', { name: 'Done' }).click();

  // The operator records a deposit (confirmed first); the partner sees it, and calls are served again.
  await dialog.getByLabel('Kind').selectOption('deposit');
  await dialog.getByLabel('Amount (EUR)').fill('5.00');
  await dialog.getByLabel('Reference (optional)').fill('bank transfer 42');
  await dialog.getByRole('button', { name: 'Record deposit' }).click();
  await dialog.getByRole('button', { name: 'Confirm deposit' }).click();
  await dialog.getByRole('status').getByText('the balance is now €3.00').waitFor();
  await opFigure('Balance').filter({ hasText: '€3.00' }).waitFor();
  assert.equal(await opFigure('Billable calls').textContent(), 'Served');

  await page.reload();
  await figure('Balance').filter({ hasText: '€3.00' }).waitFor();
  assert.equal(await page.locator('[data-over-cap]').count(), 0);
  await page.getByLabel('Kind').selectOption('deposit');
  await page.locator('[data-kind="deposit"][data-transaction]').getByText('Reference: bank transfer 42').waitFor();
  assert.equal(await page.locator('[data-transaction]').count(), 1);

  // The refused refund is the browser's one logged failure.
  assert.deepEqual(operator.problems, ['Failed to load resource: the server responded with a status of 409 (Conflict)']);
  assert.deepEqual(partnerSide.problems, []);
  await operator.context.close();
  await partnerSide.context.close();
});
