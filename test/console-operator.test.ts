/**
 * The web console (/console) in a real browser, as the operator: signs in with the admin token,
 * creates a partner, copies its key, edits it and disables it; assigns a plan and links a wallet; pauses
 * and resumes the queue; redrives a dead webhook; sees a global manager cycle.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import client from 'prom-client';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { runsCleanupTask } from '#modules/global-manager/global-manager-tasks.ts';
import { startGlobalManager } from '#modules/global-manager/global-manager.ts';
import { createGlobalManagerMetrics } from '#modules/global-manager/metrics.ts';
import { runWebhookWorkerOnce } from '#modules/webhooks/run-webhook-worker.ts';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger } from '#platform/logger.ts';
import { audit, createPartnerInConsole, signInAsOperator, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { createPartner, type TestApp } from './support/test-app.ts';
import { answer, startReceiver } from './support/webhook-receiver.ts';

/** The app's encryption key, so this test's webhook worker opens the secrets the app sealed. */
const ENCRYPTION_KEY = randomBytes(32);

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;

before(async () => {
  c = await startConsoleBrowser({ encryptionKey: ENCRYPTION_KEY });
  ({ t, baseUrl } = c);
  await createPartner(t, { name: 'Listed Bank', scopes: ['age_over_18'] });
});

after(async () => {
  await c?.close();
});

test('an operator signs in with the admin token, creates a partner, copies its key, edits its scopes and rate limit and disables it', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await page.goto('/console/');
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/console\/sign-in/);
  await audit(page, 'sign-in');

  await page.getByLabel('Admin token').fill(t.adminToken);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByRole('heading', { name: 'Partners', exact: true }).waitFor();
  await page.getByRole('cell', { name: /^Listed Bank cli_/ }).waitFor();
  await audit(page, 'partners');

  await page.getByRole('button', { name: 'New partner' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New partner' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Create partner' }).click();
  await dialog.getByText('Give the partner a name').waitFor();
  await dialog.getByText('Choose at least one scope').waitFor();
  await audit(page, 'partner-create');
  const apiKey = await createPartnerInConsole(page, 'Console Bank', [/Age over 18/, /TEE attestation/]);
  const created = page.getByRole('dialog', { name: 'Partner created' });
  await audit(page, 'partner-created');
  const me = await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } });
  assert.equal(me.status, 200);
  assert.deepEqual((await me.json()).scopes, ['age_over_18', 'tee_attestation']);
  await created.getByRole('button', { name: 'Done' }).click();

  await page.getByLabel('Filter').fill('Console Bank');
  // Its scopes and rate limit changed; only what changed is sent.
  await page.getByRole('button', { name: 'Edit Console Bank' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Console Bank' });
  await edit.waitFor();
  await edit.getByLabel(/TEE attestation/).uncheck();
  await edit.getByLabel(/Signed evidence/).check();
  await edit.getByLabel(/Rate limit/).fill('0');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await edit.getByText('A whole number from 1 to 1,000,000').waitFor();
  await audit(page, 'partner-edit');
  await edit.getByLabel(/Rate limit/).fill('1200');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Console Bank is updated').waitFor();
  const edited = await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } });
  assert.deepEqual((await edited.json()).scopes, ['age_over_18', 'evidence']);
  await page.getByRole('cell', { name: 'age_over_18, evidence' }).waitFor();

  await page.getByRole('button', { name: 'Disable Console Bank' }).click();
  const confirm = page.getByRole('dialog', { name: 'Disable Console Bank?' });
  await confirm.waitFor();
  await audit(page, 'partner-disable');
  await confirm.getByRole('button', { name: 'Disable partner' }).click();
  await page.getByText('Console Bank is disabled').waitFor();
  assert.equal((await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } })).status, 401);

  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
  await page.getByText('this browser').waitFor();
  await audit(page, 'sessions');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

/** A partner whose receiver answers 410 Gone: its test event is dead after one attempt. */
async function deadDelivery(): Promise<{ partnerId: string; deliveryId: string }> {
  const receiver = await startReceiver(answer(410));
  try {
    // `.invalid` never resolves, so the API accepts the URL; this worker's resolver sends it to the local receiver.
    const partner = await createPartner(t, { name: 'Gone Bank', webhook_url: `http://gone.invalid:${new URL(receiver.url).port}/hooks` });
    const sent = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/test', headers: { 'x-api-key': partner.api_key } });
    assert.equal(sent.statusCode, 202, sent.body);
    const lookup = async (hostname: string) => (hostname === 'gone.invalid' ? [{ address: '127.0.0.1', family: 4 }] : []);
    await runWebhookWorkerOnce({ pool: t.database.pool, clock: systemClock, secretBox: createSecretBox([ENCRYPTION_KEY]), log: createLogger('silent'), allowPrivateNetworks: true, lookup, random: () => 0.5 }, { concurrency: 1 });
    const deliveryId = sent.json().delivery_id;
    const delivery = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/deliveries/${deliveryId}`, headers: { 'x-api-key': partner.api_key } });
    assert.equal(delivery.json().status, 'dead', delivery.body);
    return { partnerId: partner.id, deliveryId };
  } finally {
    await receiver.close();
  }
}

test('an operator assigns a plan and links a wallet, pauses and resumes the queue, redrives a dead webhook, and sees a global manager cycle', { timeout: 240_000 }, async () => {
  const dead = await deadDelivery();
  const planned = await createPartner(t, { name: 'Plan Bank', scopes: ['age_over_18'] });
  // One cycle of a global manager in this process (one task, an interval far longer than the test): it leads while the test runs.
  const manager = startGlobalManager({
    deps: { pool: t.database.pool, db: t.database.db, storage: t.storage, platformKeys: t.platformKeys, log: createLogger('silent') },
    databaseUrl: t.database.url,
    clock: systemClock,
    log: createLogger('silent'),
    tasks: [runsCleanupTask(30)],
    settings: { intervalSeconds: 3600, standbyPollSeconds: 1 },
    metrics: createGlobalManagerMetrics(new client.Registry()),
  });
  const { context, page, problems } = await c.newPage();
  try {
    await signInAsOperator(page, t.adminToken);

    // The plan and the wallets of a partner, from the partners list.
    await page.getByRole('button', { name: 'Plan and wallets of Plan Bank' }).click();
    const access = page.getByRole('dialog', { name: 'Plan and wallets of Plan Bank' });
    await access.waitFor();
    await access.getByText('No wallet linked.').waitFor();
    await access.getByLabel('Tier').selectOption('pro');
    await access.getByLabel('From').selectOption('now');
    await access.getByRole('button', { name: 'Assign plan' }).click();
    await access.getByText(/^Pro from /).waitFor();
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    await access.getByLabel('Address').fill(wallet);
    await access.getByRole('button', { name: 'Link wallet' }).click();
    await access.locator(`[data-wallet="${wallet}"]`).waitFor();
    const linked = async () => (await t.admin('GET', `/api/admin/clients/${planned.id}/wallets`)).json().wallets.map((w: { address: string }) => w.address);
    assert.deepEqual(await linked(), [wallet]);
    await audit(page, 'partner-access');
    await access.getByRole('button', { name: `Unlink ${wallet}` }).click();
    await access.getByRole('button', { name: 'Confirm unlink' }).click();
    await access.getByText('No wallet linked.').waitFor();
    assert.deepEqual(await linked(), []);
    await access.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: 'Queue', exact: true }).waitFor();
    await page.getByText('running', { exact: true }).waitFor();
    await audit(page, 'queue');
    await page.getByRole('button', { name: 'Pause processing' }).click();
    const confirm = page.getByRole('dialog', { name: 'Pause task processing?' });
    await confirm.waitFor();
    await audit(page, 'queue-pause');
    await confirm.getByRole('button', { name: 'Pause processing' }).click();
    await page.getByText('Processing paused').waitFor();
    await page.getByText('paused', { exact: true }).waitFor();
    assert.equal((await t.admin('GET', '/api/v1/queue/status')).json().paused, true);
    await page.getByRole('button', { name: 'Resume processing' }).click();
    await page.getByText('Processing resumed').waitFor();
    await page.getByRole('button', { name: 'Pause processing' }).waitFor();
    assert.equal((await t.admin('GET', '/api/v1/queue/status')).json().paused, false);

    await page.getByRole('link', { name: 'Dead webhooks' }).click();
    await page.getByRole('heading', { name: 'Dead webhooks', exact: true }).waitFor();
    await page.getByLabel('Partner').selectOption(dead.partnerId);
    const row = page.locator(`[data-dead-delivery="${dead.deliveryId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Attempts' }).click();
    await page.getByText('HTTP 410').waitFor();
    await audit(page, 'dead-letters');
    await row.getByRole('button', { name: `Redrive ${dead.deliveryId}` }).click();
    const redrive = page.getByRole('dialog', { name: 'Redrive webhook.test to Gone Bank?' });
    await redrive.waitFor();
    await redrive.getByRole('button', { name: 'Redrive' }).click();
    await page.getByText('1 delivery queued again').waitFor();
    await page.getByText('No dead delivery matches').waitFor();
    await audit(page, 'dead-letters-empty');

    const cycle = async () => (await t.admin('GET', '/api/admin/global-manager')).json().cycles.find((c: { outcome: string }) => c.outcome === 'succeeded');
    for (let tries = 0; !(await cycle()); tries++) {
      assert.ok(tries < 100, 'the global manager ran a cycle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByRole('link', { name: 'Global manager' }).click();
    await page.getByRole('heading', { name: 'Global manager', exact: true }).waitFor();
    const task = page.locator('[data-task="cleanup-global-manager-runs"]').first();
    await task.getByText('succeeded').waitFor();
    await page.getByText(/^veridity-global-manager:/).first().waitFor();
    await audit(page, 'global-manager');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await manager.stop();
  }
});
