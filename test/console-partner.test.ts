/**
 * The web console (/console) in a real browser, as partners: one signs in with wallets the
 * operator linked (Ethereum and Sui, with signers generated in the test); a TEE partner submits a
 * real TDX quote from a file, watches its task complete, reads the result and downloads it.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createStoredCollateralSource } from '#modules/attestations/create-collateral-source.ts';
import { createEvidenceVerifier, type EvidenceVerifier } from '#modules/attestations/create-evidence-verifier.ts';
import { createTaskFinisher } from '#modules/attestations/finish-task.ts';
import { VerifyAttestationTaskJob } from '#modules/attestations/jobs.ts';
import { runTaskWorkerOnce } from '#modules/attestations/run-task-worker.ts';
import { DEFAULT_ACCEPTED_TCB_STATUSES } from '#modules/attestations/verification/index.ts';
import { readVector, readVectorJson, SAMPLE_VERIFY_AT } from '#modules/attestations/verification/test-vectors.ts';
import { systemClock } from '#platform/clock.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { audit, injectWalletSigners, signInAsPartner, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;
let queue: Queue;
let evidenceVerifier: EvidenceVerifier;

before(async () => {
  c = await startConsoleBrowser();
  ({ t, baseUrl } = c);
  // TEE tasks: the app queues them; the test runs one worker pass when it wants them verified.
  queue = await startQueue({ connectionString: t.database.url, log: createLogger('silent'), schedule: false });
  await queue.register([VerifyAttestationTaskJob]);
  evidenceVerifier = createEvidenceVerifier({ size: 1 });
});

after(async () => {
  await evidenceVerifier?.close();
  await queue?.stop({ graceful: false });
  await c?.close();
});

test('a partner signs in with wallets the operator linked: Ethereum (EIP-1193 personal_sign) and Sui, with signers the page finds on window', { timeout: 180_000 }, async () => {
  const partner = await createPartner(t, { name: 'Wallet Bank', scopes: ['age_over_18'] });
  const link = async (chain: string, address: string) => {
    const linked = await fetch(`${baseUrl}/api/admin/clients/${partner.id}/wallets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chain, address }),
    });
    assert.equal(linked.status, 201, await linked.text());
  };
  const ethereum = privateKeyToAccount(generatePrivateKey());
  const sui = Ed25519Keypair.generate();
  await link('ethereum', ethereum.address);
  await link('sui', sui.toSuiAddress());

  const { context, page, problems } = await c.newPage();
  await injectWalletSigners(page, { ethereum, sui });
  for (const chain of ['Ethereum', 'Sui']) {
    await page.goto('/console/sign-in');
    await page.getByRole('button', { name: `Sign in with ${chain}` }).click();
    await page.getByRole('heading', { name: 'Wallet Bank', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a TEE partner submits a TDX quote from a file, watches its task complete, reads the result and downloads the signed result', { timeout: 180_000 }, async () => {
  const partner = await createPartner(t, { name: 'Enclave Bank', scopes: ['tee_attestation', 'evidence'] });
  const { context, page, problems } = await c.newPage();
  await signInAsPartner(page, partner.api_key, 'Enclave Bank');

  await page.getByRole('link', { name: 'Proofs' }).click();
  await page.getByRole('heading', { name: 'Proofs', exact: true }).waitFor();
  await page.getByText('No submissions yet').waitFor();
  await audit(page, 'proofs');

  await page.getByRole('link', { name: 'TEE tasks' }).click();
  await page.getByRole('heading', { name: 'TEE tasks', exact: true }).waitFor();
  await page.getByText('No tasks yet').waitFor();
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await page.getByText('Give the app id the evidence is for').waitFor();
  await page.getByText('Choose the evidence file').waitFor();
  await audit(page, 'tasks-invalid');

  // The attestation tests' real TDX quote and Intel collateral, inside the collateral's window.
  const evidence = { quote: readVector('tdx_quote').toString('hex'), collateral: readVectorJson('tdx_quote_collateral.json'), verifyAt: SAMPLE_VERIFY_AT.toISOString() };
  await page.getByLabel('App id').fill('app-console');
  await page.getByLabel('App name').fill('Console enclave');
  await page.getByLabel('Evidence file').setInputFiles({ name: 'evidence.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(evidence)) });
  await page.getByText('evidence.json: quote, collateral, verifyAt').waitFor();
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  const detail = page.locator('[data-task-detail]');
  await detail.waitFor();
  const taskId = (await detail.getAttribute('data-task-detail'))!;
  assert.match(taskId, /^tsk_[0-9a-z]{26}$/);
  await page.locator(`[data-task-detail="${taskId}"][data-status="pending"]`).waitFor();
  await page.locator(`[data-task="${taskId}"][data-status="pending"]`).waitFor();
  await audit(page, 'task-pending');

  // One worker pass; the page, polling while the task is pending, shows it completed.
  await runTaskWorkerOnce({
    pool: t.database.pool, db: t.database.db, clock: systemClock, log: createLogger('silent'), storage: t.storage, platformKeys: t.platformKeys, queue,
    collateralSource: createStoredCollateralSource({ pool: t.database.pool, clock: systemClock, log: createLogger('silent') }),
    verifier: evidenceVerifier, finisher: createTaskFinisher({ pool: t.database.pool, queue }), acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  });
  await page.locator(`[data-task-detail="${taskId}"][data-status="completed"]`).waitFor();
  await page.locator(`[data-task="${taskId}"][data-status="completed"]`).waitFor();
  await detail.getByText('valid', { exact: true }).first().waitFor();
  const tree = page.getByRole('group', { name: 'Result document' });
  await tree.waitFor();
  await tree.getByText('"UpToDate"').first().waitFor({ state: 'attached' });

  const jwt = (await page.getByTestId('attestation-result').textContent())!.trim();
  const api = (await (await fetch(`${baseUrl}/api/v1/tasks/${taskId}`, { headers: { 'x-api-key': partner.api_key } })).json()) as Record<string, any>;
  assert.equal(jwt, api.attestationResult);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download signed result' }).click();
  assert.equal((await download).suggestedFilename(), `${taskId}.jwt`);
  await audit(page, 'task-completed');

  await page.getByLabel('Status').selectOption('failed');
  await page.getByText('No failed tasks').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

