/**
 * The web console's catalog pages in a real browser, as the operator: registers a circuit version
 * by uploading the repository's real artifacts (and sees a broken verification key refused with
 * the API's message), disables and re-enables it; trusts an issuer key and removes it.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { audit, signInAsOperator, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { generateIssuerKey } from './support/holder.ts';
import { ROOT } from './support/processes.ts';
import type { TestApp } from './support/test-app.ts';

const ARTIFACTS = path.join(ROOT, 'circuits/artifacts/age_over_18');
const FILES = {
  wasm: path.join(ARTIFACTS, 'age_over_18.wasm'),
  zkey: path.join(ARTIFACTS, 'age_over_18.zkey'),
  vkey: path.join(ARTIFACTS, 'verification_key.json'),
};

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;

before(async () => {
  c = await startConsoleBrowser({ bundledCircuits: true });
  ({ t, baseUrl } = c);
});

after(async () => {
  await c?.close();
});

/** How chromium reports a request the API refused (as a console error). */
const refusedWith = (status: number) => `Failed to load resource: the server responded with a status of ${status} (${status === 400 ? 'Bad Request' : 'Unprocessable Entity'})`;

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

/** What provers are offered: GET /api/v1/circuits, public. */
async function publicVersions(): Promise<Array<{ claim_type: string; semver: string; artifacts: Record<string, { sha256: string }> }>> {
  return (await fetch(`${baseUrl}/api/v1/circuits`)).json();
}

test('an operator registers a circuit version from its artifact files, then disables and enables it', { timeout: 600_000 }, async () => {
  const { page, problems } = await c.newPage();
  await signInAsOperator(page, t.adminToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Circuits' }).click();
  await page.getByRole('heading', { name: 'Circuits', exact: true }).waitFor();
  const table = page.getByRole('region', { name: 'Circuit versions' });
  await table.getByRole('row').filter({ hasText: 'age_over_18' }).filter({ hasText: '1.0.0' }).waitFor();
  await audit(page, 'circuits');

  await page.getByRole('button', { name: 'Register version' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Register a circuit version' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Upload and register' }).click();
  await dialog.getByText('Choose the proving key (.zkey)').waitFor();
  await dialog.getByLabel('Version', { exact: true }).fill('1.0.0');
  await dialog.getByRole('button', { name: 'Upload and register' }).click();
  await dialog.getByText('This version of the claim type is registered already').waitFor();
  await audit(page, 'circuit-register');

  // A JSON that is no verification key (the build's manifest): uploaded, then refused by the API, which says why.
  await dialog.getByLabel('Version', { exact: true }).fill('1.1.0');
  await dialog.getByLabel('Witness generator (.wasm)', { exact: true }).setInputFiles(FILES.wasm);
  await dialog.getByLabel('Proving key (.zkey)', { exact: true }).setInputFiles(FILES.zkey);
  await dialog.getByLabel('Verification key (.json)', { exact: true }).setInputFiles(path.join(ROOT, 'circuits/artifacts/manifest.json'));
  await dialog.getByRole('button', { name: 'Upload and register' }).click();
  const refused = dialog.getByRole('alert').filter({ hasText: 'The version was not registered' });
  await refused.waitFor();
  await refused.getByText('INVALID_VERIFICATION_KEY').waitFor();
  await refused.getByText(/request id req_/).waitFor();
  await dialog.getByRole('list', { name: 'Upload progress' }).getByText(`sha256 ${await sha256(FILES.zkey)}`).waitFor();
  await audit(page, 'circuit-register-refused');

  await dialog.getByLabel('Verification key (.json)', { exact: true }).setInputFiles(FILES.vkey);
  await dialog.getByRole('button', { name: 'Upload and register' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText('age_over_18 1.1.0 is registered').waitFor();
  const registered = (await publicVersions()).find((circuit) => circuit.claim_type === 'age_over_18' && circuit.semver === '1.1.0');
  assert.ok(registered, 'the new version is offered to provers');
  assert.equal(registered.artifacts.wasm!.sha256, await sha256(FILES.wasm));
  assert.equal(registered.artifacts.zkey!.sha256, await sha256(FILES.zkey));
  assert.equal(registered.artifacts.vkey!.sha256, await sha256(FILES.vkey));

  await page.getByLabel('Claim type').selectOption('age_over_18');
  await page.getByLabel('Filter').fill('1.1.0');
  const row = table.getByRole('row').filter({ hasText: '1.1.0' });
  await row.getByText('enabled').waitFor();
  assert.equal(await table.getByRole('row').count(), 2, 'the header and the one matching version');
  await row.getByRole('button', { name: 'Disable age_over_18 1.1.0' }).click();
  const confirm = page.getByRole('dialog', { name: 'Disable age_over_18 1.1.0?' });
  await confirm.waitFor();
  await audit(page, 'circuit-disable');
  await confirm.getByRole('button', { name: 'Disable version' }).click();
  await row.getByText('disabled').waitFor();
  assert.ok(!(await publicVersions()).some((circuit) => circuit.claim_type === 'age_over_18' && circuit.semver === '1.1.0'), 'a disabled version is not offered');

  await page.getByLabel('Status').selectOption('enabled');
  await page.getByText('No circuit version matches').waitFor();
  await page.getByLabel('Status').selectOption('disabled');
  await row.getByRole('button', { name: 'Enable age_over_18 1.1.0' }).click();
  await page.getByText('No circuit version matches').waitFor();
  assert.ok((await publicVersions()).some((circuit) => circuit.claim_type === 'age_over_18' && circuit.semver === '1.1.0'), 'enabled again, offered again');
  assert.deepEqual(problems, [refusedWith(422)], 'the browser reports only the refusal this test provoked');
});

test('an operator trusts an issuer key and removes it', { timeout: 300_000 }, async () => {
  const { page, problems } = await c.newPage();
  const issuer = await generateIssuerKey();
  await signInAsOperator(page, t.adminToken);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Issuers' }).click();
  await page.getByRole('heading', { name: 'Trusted issuers', exact: true }).waitFor();
  await page.getByText('No trusted issuers yet').waitFor();
  await audit(page, 'issuers-empty');

  await page.getByRole('button', { name: 'Add issuer' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Trust an issuer' });
  await dialog.waitFor();
  await dialog.getByLabel('Name').fill('Console Registry');
  await dialog.getByLabel('Public key').fill(JSON.stringify({ private_key: issuer.privateKey, public_key: issuer.publicKey }));
  await dialog.getByRole('button', { name: 'Trust issuer' }).click();
  await dialog.getByText(/This holds the private key/).waitFor();
  await dialog.getByText('Choose at least one claim type').waitFor();
  await audit(page, 'issuer-add');

  // A point off the curve passes the form and is refused by the API, with its message.
  await dialog.getByLabel('Public key').fill(JSON.stringify({ ax: '1', ay: '2' }));
  await dialog.getByLabel(/Age over 18/).check();
  await dialog.getByLabel(/Citizenship/).check();
  await dialog.getByRole('button', { name: 'Trust issuer' }).click();
  const refused = dialog.getByRole('alert').filter({ hasText: 'The issuer was not added' });
  await refused.getByText(/Baby Jubjub/).waitFor();
  await refused.getByText(/request id req_/).waitFor();

  await dialog.getByLabel('Public key').fill(JSON.stringify(issuer.publicKey, null, 2));
  await dialog.getByRole('button', { name: 'Trust issuer' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.getByRole('region', { name: 'Trusted issuers' }).getByRole('row').filter({ hasText: 'Console Registry' });
  await row.getByText('trusted').waitFor();
  await row.getByText('age_over_18, citizenship').waitFor();
  await audit(page, 'issuers');
  const listed = (await t.admin('GET', '/api/admin/issuers')).json() as Array<{ id: string; name: string; public_key: unknown; claim_types: string[]; disabled_at: string | null }>;
  const added = listed.find((one) => one.name === 'Console Registry');
  assert.deepEqual(added && { public_key: added.public_key, claim_types: added.claim_types, disabled_at: added.disabled_at }, { public_key: issuer.publicKey, claim_types: ['age_over_18', 'citizenship'], disabled_at: null });

  await row.getByRole('button', { name: 'Remove Console Registry' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove Console Registry?' });
  await confirm.waitFor();
  await audit(page, 'issuer-remove');
  await confirm.getByRole('button', { name: 'Remove issuer' }).click();
  await page.getByText('No issuer matches').waitFor();
  await page.getByLabel('Status').selectOption('removed');
  await row.getByText(/^removed/).waitFor();
  const afterwards = (await t.admin('GET', '/api/admin/issuers')).json() as Array<{ id: string; disabled_at: string | null }>;
  assert.ok(afterwards.find((one) => one.id === added!.id)?.disabled_at, 'the issuer is no longer trusted');
  assert.deepEqual(problems, [refusedWith(400)], 'the browser reports only the refusal this test provoked');
});
