/**
 * The console's API keys page (/console/api-keys) in a real browser: a partner signed in with its
 * key creates a key (shown once, copied to the clipboard) that then works against the API,
 * rotates it at once (the old secret is refused), and disables one; the page and its dialogs pass
 * the checks of test/support/console-browser.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { audit, signInAsPartner, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;

before(async () => {
  c = await startConsoleBrowser();
  ({ t, baseUrl } = c);
});
after(async () => c?.close());

const meStatus = async (apiKey: string) => (await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } })).status;

test('a partner creates a key and copies it, rotates it at once, and disables one', { timeout: 400_000 }, async () => {
  const partner = await createPartner(t, { name: 'Key Bank', scopes: ['age_over_18'] });
  const { context, page, problems } = await c.newPage();
  await signInAsPartner(page, partner.api_key, 'Key Bank');
  await page.getByRole('link', { name: 'API keys' }).first().click();
  await page.getByRole('heading', { name: 'API keys', exact: true }).waitFor();
  const defaultRow = page.locator('tr', { hasText: 'Default' });
  await defaultRow.getByText('active').waitFor();
  await audit(page, 'api-keys');

  await page.getByRole('button', { name: 'New API key' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API key' });
  await dialog.waitFor();
  await dialog.getByLabel('Name').fill('Reporting');
  await audit(page, 'api-key-create');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'API key created' });
  await created.waitFor();
  await created.getByText('Shown this once').waitFor();
  const newKey = (await created.locator('[data-secret]').textContent())!.trim();
  assert.match(newKey, /^vk_/);
  await created.getByRole('button', { name: 'Copy' }).click();
  await created.getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), newKey);
  await audit(page, 'api-key-created');
  assert.equal(await meStatus(newKey), 200, 'the new key works against the API');
  await created.getByRole('button', { name: 'Done' }).click();
  const reportingRow = page.locator('tr', { hasText: 'Reporting' });
  await reportingRow.getByText(`${newKey.slice(0, 11)}…`).waitFor();

  // Rotation with no grace period: the new secret is shown once, the old one is refused at once.
  await reportingRow.getByRole('button', { name: 'Rotate Reporting' }).click();
  const rotate = page.getByRole('dialog', { name: 'Rotate “Reporting”?' });
  await rotate.waitFor();
  await rotate.getByLabel('The old key keeps working for').selectOption('0');
  await audit(page, 'api-key-rotate');
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const rotated = page.getByRole('dialog', { name: 'Key rotated' });
  await rotated.waitFor();
  await rotated.getByText('no longer works').waitFor();
  const rotatedKey = (await rotated.locator('[data-secret]').textContent())!.trim();
  assert.notEqual(rotatedKey, newKey);
  await audit(page, 'api-key-rotated');
  assert.equal(await meStatus(newKey), 401, 'the old secret is refused');
  assert.equal(await meStatus(rotatedKey), 200);
  await rotated.getByRole('button', { name: 'Done' }).click();

  // The rotated key goes; the partner's own key (it signed in with) is left, so the partner is never locked out.
  const activeReporting = page.locator('tr', { hasText: `${rotatedKey.slice(0, 11)}…` });
  await activeReporting.getByRole('button', { name: 'Disable Reporting' }).click();
  const confirm = page.getByRole('dialog', { name: 'Disable “Reporting”?' });
  await confirm.waitFor();
  await audit(page, 'api-key-disable');
  await confirm.getByRole('button', { name: 'Disable key' }).click();
  await page.getByText('“Reporting” is disabled').waitFor();
  await activeReporting.getByText('disabled').waitFor();
  assert.equal(await meStatus(rotatedKey), 401);
  assert.equal(await meStatus(partner.api_key), 200);

  await page.getByLabel('Status').selectOption('expiring');
  await page.getByText('No expiring API keys').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
