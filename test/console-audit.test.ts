/**
 * The console's audit log (/console/audit-log) in a real browser, as the operator: a change made
 * in the console shows up, filters by partner, action and days (kept in the address, so the view
 * can be shared), details unfold, pages follow, and the API's refusal shows with its request id.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { audit, signInAsOperator, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

let c: ConsoleBrowser;
let t: TestApp;
let trail: Record<string, any>;
let rotatedKeyPrefix: string;

before(async () => {
  c = await startConsoleBrowser();
  ({ t } = c);
  trail = await createPartner(t, { name: 'Trail Bank', scopes: ['age_over_18'] });
  const rotated = await t.admin('POST', `/api/admin/clients/${trail.id}/rotate-key`);
  assert.equal(rotated.statusCode, 200, rotated.body);
  rotatedKeyPrefix = rotated.json().key_prefix;
  // More partners than a page holds (25), so the unfiltered `client.created` list has a second page.
  for (let i = 0; i < 26; i++) await createPartner(t, { name: `Paged Bank ${i}`, scopes: ['age_over_18'] });
});

after(async () => {
  await c?.close();
});

test('an operator finds a change in the audit log, filters it by partner, action and day, shares the view and pages through', { timeout: 240_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await signInAsOperator(page, t.adminToken);

  // Something audited, done in the console: disabling a partner.
  await page.getByLabel('Filter').fill('Trail Bank');
  await page.getByRole('button', { name: 'Disable Trail Bank' }).click();
  await page.getByRole('dialog', { name: 'Disable Trail Bank?' }).getByRole('button', { name: 'Disable partner' }).click();
  await page.getByText('Trail Bank is disabled').waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
  const rows = page.locator('tr[data-audit-event]');
  const newest = rows.first();
  await newest.getByRole('cell', { name: 'client.disabled', exact: true }).waitFor();
  await newest.getByRole('cell', { name: 'Trail Bank', exact: true }).waitFor();
  assert.match((await newest.getByRole('cell').nth(2).textContent()) ?? '', /^Operator/, 'the actor is the operator');
  await audit(page, 'audit-log');

  await page.getByLabel('Partner', { exact: true }).selectOption({ label: 'Trail Bank' });
  await page.waitForURL((url) => url.searchParams.get('client_id') === trail.id);
  await rows.nth(2).waitFor();
  assert.deepEqual(await rows.locator('td:nth-child(2)').allTextContents(), ['client.disabled', 'client.key_rotated', 'client.created']);

  await page.getByLabel('Action', { exact: true }).fill('client.key_rotated');
  await page.waitForURL((url) => url.searchParams.get('action') === 'client.key_rotated');
  await page.getByRole('cell', { name: 'client.key_rotated', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'client.created', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 1);
  await page.getByRole('button', { name: /^Details of client\.key_rotated/ }).click();
  const details = page.getByRole('group', { name: 'Details of client.key_rotated' });
  await details.getByText(`"${rotatedKeyPrefix}"`).waitFor();
  await audit(page, 'audit-log-details');

  // The filtered view, shared: its address opens the same view in another tab.
  const shared = page.url();
  const other = await context.newPage();
  await other.goto(shared);
  await other.getByRole('cell', { name: 'client.key_rotated', exact: true }).waitFor();
  // The partner list fills the select after the rows may have come (CI saw it empty once): wait for its option.
  await other.getByLabel('Partner', { exact: true }).locator(`option[value="${trail.id}"]`).waitFor({ state: 'attached' });
  assert.equal(await other.getByLabel('Partner', { exact: true }).inputValue(), trail.id);
  assert.equal(await other.getByLabel('Action', { exact: true }).inputValue(), 'client.key_rotated');
  assert.equal(await other.locator('tr[data-audit-event]').count(), 1);
  await other.close();

  // Days: today holds the rows; a To day before the From day is refused in the page; a future day is empty.
  const today = await page.evaluate(() => { const now = new Date(); return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`; });
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.waitForURL((url) => url.searchParams.get('to') === today);
  await page.getByRole('cell', { name: 'client.key_rotated', exact: true }).waitFor();
  await page.getByLabel('From', { exact: true }).fill('2999-01-02');
  await page.getByText('Must be on or after the From day').waitFor();
  await page.getByLabel('To', { exact: true }).fill('2999-01-03');
  await page.getByText('No event matches these filters').waitFor();
  await audit(page, 'audit-log-empty');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL((url) => url.search === '');
  await newest.getByRole('cell', { name: 'client.disabled', exact: true }).waitFor();

  // Pages: 27 partners created, 25 a page.
  await page.getByLabel('Action', { exact: true }).fill('client.created');
  await page.getByText('Page 1').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('tr[data-audit-event]').length === 25);
  const firstPage = await rows.evaluateAll((found) => found.map((row) => row.getAttribute('data-audit-event')));
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Page 2').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('tr[data-audit-event]').length === 2);
  const secondPage = await rows.evaluateAll((found) => found.map((row) => row.getAttribute('data-audit-event')));
  assert.equal(new Set([...firstPage, ...secondPage]).size, 27);
  await page.getByRole('cell', { name: 'Trail Bank', exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Previous' }).click();
  await page.getByText('Page 1').waitFor();

  // The API's refusal, with its message and request id.
  await page.getByLabel('Action', { exact: true }).fill('Client.');
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load the audit log' });
  await alert.getByText('VALIDATION_FAILED').waitFor();
  assert.match((await alert.textContent()) ?? '', /request id req_[0-9a-z]{26}/);

  assert.deepEqual(problems.filter((problem) => !/status of 400/.test(problem)), []);
  await context.close();
});
