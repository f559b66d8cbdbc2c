/**
 * The web console's attestation page (/console/attestation) in a real browser, as the operator:
 * uploads real Intel collateral (a file for another platform and a tampered one refused, the
 * first in the browser, the second by the server with its message and request id), replaces it,
 * filters; allows the OS image of a real dstack capture with the measurements read from its quote
 * at Intel's offsets, then removes it. Test vectors: src/modules/attestations/verification/fixtures
 * (PROVENANCE.md). test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { readVectorJson, tdReportFieldsAtOffsets } from '#modules/attestations/verification/test-vectors.ts';
import { audit, signInAsOperator, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../src/modules/attestations/verification/fixtures/${name}`, import.meta.url));
const TDX_COLLATERAL = fixture('tdx_quote_collateral.json'); // FMSPC B0C06F000000
const OUTDATED_COLLATERAL = fixture('tdx_quote_outdated_collateral.json'); // FMSPC 90C06F000000
const tcbInfo = JSON.parse(String(readVectorJson('tdx_quote_collateral.json').tcb_info)) as { issueDate: string; nextUpdate: string };
const capture = readVectorJson<{ quote: string; vm_config: string }>('dstack-quote-report.json');
const captureImage = (JSON.parse(capture.vm_config) as { os_image_hash: string }).os_image_hash;
const captureTd = tdReportFieldsAtOffsets(Buffer.from(capture.quote, 'hex'));

let c: ConsoleBrowser;

before(async () => {
  c = await startConsoleBrowser();
});

after(async () => {
  await c?.close();
});

/** A date as the console shows it, in the browser's locale and time zone. */
const shown = (page: Page, iso: string) => page.evaluate((value) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value)), iso);

test('an operator uploads Intel collateral for its FMSPC, replaces it, and allows then removes a dstack OS image', { timeout: 600_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await signInAsOperator(page, c.t.adminToken);
  await page.getByRole('link', { name: 'Attestation', exact: true }).first().click();
  await page.getByRole('heading', { name: 'Attestation', level: 1 }).waitFor();
  await page.getByText('No collateral stored').waitFor();
  await page.getByText('No OS image allowed yet').waitFor();
  await audit(page, 'attestation-empty');

  // Upload: something that is not collateral is refused in the browser, nothing is sent.
  await page.getByRole('button', { name: 'Upload collateral' }).first().click();
  const upload = page.getByRole('dialog', { name: 'Upload collateral' });
  await upload.waitFor();
  await upload.getByLabel('Collateral file').setInputFiles(fixture('dstack-quote-report.json'));
  await upload.getByText(/^The collateral lacks tcb_info, /).waitFor();
  assert.equal(await upload.getByRole('button', { name: 'Upload collateral' }).isDisabled(), true);

  // The real collateral: what it is for and its dates, read in the browser, then checked and stored by the server.
  await upload.getByLabel('Collateral file').setInputFiles(TDX_COLLATERAL);
  const found = upload.getByLabel('What the file holds');
  await found.getByText('b0c06f000000').waitFor();
  await upload.getByText('✓ Checked in the browser: every item is there').waitFor();
  await upload.getByText('✓ Read tdx_quote_collateral.json (16,072 bytes)').waitFor();
  assert.match(await found.innerText(), new RegExp(`TCB info issued\\s+${await shown(page, tcbInfo.issueDate)}`));
  assert.match(await found.innerText(), new RegExp(`TCB info next update\\s+${await shown(page, tcbInfo.nextUpdate)}`));
  assert.match(await found.innerText(), /nothing: this file adds the platform/);
  await audit(page, 'attestation-upload-checked');
  await upload.getByRole('button', { name: 'Upload collateral' }).click();
  await page.getByText('Collateral for FMSPC b0c06f000000 stored').waitFor();
  await upload.waitFor({ state: 'hidden' });

  const row = page.locator('[data-collateral="b0c06f000000"]');
  await row.waitFor();
  const rowText = await row.innerText();
  // The sample's window ended in July 2025: flagged.
  assert.match(rowText, /Expired/);
  assert.match(rowText, /TDX, platform CA/);
  assert.match(rowText, /Uploaded/);
  assert.ok(rowText.includes(await shown(page, tcbInfo.issueDate)) && rowText.includes(await shown(page, tcbInfo.nextUpdate)), rowText);
  const [stored] = (await c.t.admin('GET', '/api/admin/attestations/collateral')).json() as Array<{ fmspc: string; valid_until: string; tcb_info_next_update: string }>;
  assert.equal(stored!.fmspc, 'b0c06f000000');
  assert.ok(rowText.includes(await shown(page, stored!.valid_until)), rowText);
  await audit(page, 'attestation-collateral');

  // Replace: a file for another FMSPC is refused in the browser; the same platform's is sent.
  await page.getByRole('button', { name: 'Replace collateral for b0c06f000000' }).click();
  const replace = page.getByRole('dialog', { name: 'Replace collateral for FMSPC b0c06f000000' });
  await replace.getByLabel('Collateral file').setInputFiles(OUTDATED_COLLATERAL);
  await replace.getByText('This collateral is for FMSPC 90c06f000000, not b0c06f000000.').waitFor();
  await replace.getByLabel('Collateral file').setInputFiles(TDX_COLLATERAL);
  await replace.getByText(/collateral valid until .*: this file replaces it/).waitFor();
  await replace.getByRole('button', { name: 'Replace collateral' }).click();
  await replace.waitFor({ state: 'hidden' });

  // Well-formed but with a broken signature: the server refuses it; its message, code and request id are shown.
  const tampered = { ...readVectorJson('tdx_quote_collateral.json'), tcb_info_signature: '00'.repeat(64) };
  await page.getByRole('button', { name: 'Upload collateral' }).first().click();
  await upload.getByLabel('Collateral file').setInputFiles({ name: 'tampered.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(tampered)) });
  await upload.getByRole('button', { name: 'Replace collateral' }).click();
  const refused = upload.getByRole('alert');
  await refused.getByText('The collateral was not stored').waitFor();
  assert.match(await refused.innerText(), /INVALID_COLLATERAL · request id \S+/);
  await upload.getByText('✗ The server refused it').waitFor();
  await audit(page, 'attestation-upload-refused');
  await upload.getByRole('button', { name: 'Cancel' }).click();

  // A second platform, then the FMSPC filter.
  await page.getByRole('button', { name: 'Upload collateral' }).first().click();
  await upload.getByLabel('Collateral file').setInputFiles(OUTDATED_COLLATERAL);
  await upload.getByRole('button', { name: 'Upload collateral' }).click();
  await page.locator('[data-collateral="90c06f000000"]').waitFor();
  assert.equal(await page.locator('[data-collateral]').count(), 2);
  await page.getByRole('searchbox', { name: 'FMSPC' }).fill('90c0');
  await page.locator('[data-collateral="b0c06f000000"]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-collateral]').count(), 1);
  await page.getByRole('searchbox', { name: 'FMSPC' }).fill('');
  const listed = (await c.t.admin('GET', '/api/admin/attestations/collateral')).json() as Array<{ fmspc: string; source: string }>;
  assert.deepEqual(listed.map((item) => [item.fmspc, item.source]).sort(), [['90c06f000000', 'upload'], ['b0c06f000000', 'upload']]);

  // Allow the capture's OS image: typed with 0x and in upper case, stored canonical.
  await page.getByRole('button', { name: 'Allow an OS image' }).first().click();
  const allow = page.getByRole('dialog', { name: 'Allow an OS image' });
  await allow.getByLabel('OS image hash').fill(captureImage.slice(2));
  await allow.getByRole('button', { name: 'Allow OS image' }).click();
  await allow.getByText('An OS image hash is 32 bytes of hex (64 characters)').waitFor();
  await allow.getByText('MRTD is 48 bytes of hex (96 characters)').waitFor();
  await audit(page, 'attestation-os-image-invalid');
  await allow.getByLabel('OS image hash').fill(`0x${captureImage.toUpperCase()}`);
  await allow.getByLabel('Name (optional)').fill('dstack capture image');
  await allow.getByLabel('MRTD').fill(captureTd.mr_td);
  await allow.getByLabel('RTMR0').fill(captureTd.rt_mr0);
  await allow.getByLabel('RTMR1').fill(captureTd.rt_mr1);
  await allow.getByLabel('RTMR2').fill(captureTd.rt_mr2.toUpperCase());
  await allow.getByRole('button', { name: 'Allow OS image' }).click();
  await allow.waitFor({ state: 'hidden' });
  const image = page.locator(`[data-os-image="${captureImage.toLowerCase()}"]`);
  await image.getByText('dstack capture image').waitFor();
  const images = (await c.t.admin('GET', '/api/admin/attestations/os-images')).json() as Array<Record<string, string>>;
  assert.deepEqual(
    images.map(({ os_image_hash, label, mr_td, rt_mr2 }) => ({ os_image_hash, label, mr_td, rt_mr2 })),
    [{ os_image_hash: captureImage.toLowerCase(), label: 'dstack capture image', mr_td: captureTd.mr_td, rt_mr2: captureTd.rt_mr2 }],
  );
  await audit(page, 'attestation-os-images');

  // Remove it: asked first; cancelling keeps it.
  await page.getByRole('button', { name: 'Remove dstack capture image' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove dstack capture image?' });
  await confirm.waitFor();
  await audit(page, 'attestation-os-image-remove');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await c.t.admin('GET', '/api/admin/attestations/os-images')).json().length, 1);
  await page.getByRole('button', { name: 'Remove dstack capture image' }).click();
  await confirm.getByRole('button', { name: 'Remove OS image' }).click();
  await page.getByText('No OS image allowed yet').waitFor();
  assert.deepEqual((await c.t.admin('GET', '/api/admin/attestations/os-images')).json(), []);

  // The one expected console error: the browser's note of the refused upload's 422.
  assert.deepEqual(problems.filter((problem) => !/status of 422/.test(problem)), []);
  await context.close();
});
