/**
 * The web console's agent pages (/console/agents) in a real browser, on agents, work and feedback
 * made through the API as test/agent-registry.test.ts and test/agent-reputation.test.ts make them
 * (controller keys generated here, real signatures, a certificate issued as the evidence worker
 * issues one): the partner lists and filters its agents, registers one and proves its ownership
 * with an injected Ethereum wallet, reads an agent's reputation and feedback, answers a feedback,
 * downloads the work history, changes a field and deactivates an agent after confirming.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { systemClock } from '#platform/clock.ts';
import { audit, signInAsPartner, startConsoleBrowser, type ConsoleBrowser, type ConsolePage } from './support/console-browser.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

type Json = Record<string, any>;
let c: ConsoleBrowser;
let t: TestApp;
let owner: Json, customer: Json, summarizer: Json, work: Json, feedback: Json, labeler: Json, foreign: Json;
let wallet: ReturnType<typeof evmController>;
let context: ConsolePage['context'], page: ConsolePage['page'], problems: string[];

const call = async (apiKey: string, method: 'GET' | 'POST', url: string, body?: unknown) => {
  const response = await t.app.inject({ method, url, headers: { 'x-api-key': apiKey }, ...(body === undefined ? {} : { payload: body as object }) });
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as Json;
};

/** An EVM controller key made here, as a did:pkh, with its EIP-191 signer. */
function evmController() {
  const account = privateKeyToAccount(generatePrivateKey());
  return { account, did: `did:pkh:eip155:1:${account.address}` };
}

before(async () => {
  c = await startConsoleBrowser();
  ({ t } = c);
  owner = await createPartner(t, { name: 'Agent House', scopes: ['agents', 'evidence'] });
  customer = await createPartner(t, { name: 'Agent customer', scopes: ['agents'] });

  // A verified agent (the controller signed its challenge), with a work record on a certificate and a customer's feedback on it.
  const summarizerKey = evmController();
  const challenge = await call(owner.api_key, 'POST', '/api/v1/agents/challenge', { controller: summarizerKey.did });
  summarizer = await call(owner.api_key, 'POST', '/api/v1/agents', {
    name: 'Summarizer', description: 'Summarises long documents', capabilities: ['nlp.summarization'], tags: ['legal'], controller: summarizerKey.did,
    endpoints: [{ name: 'A2A', endpoint: 'https://agents.example/.well-known/agent-card.json' }],
    ownership_proof: { challenge_id: challenge.id, signature: await summarizerKey.account.signMessage({ message: challenge.message }) },
  });
  assert.equal(summarizer.status, 'verified');
  const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
  work = await call(owner.api_key, 'POST', `/api/v1/agents/${summarizer.id}/work`, { evidence_id: certificate.certificateId, capability: 'nlp.summarization', summary: 'Summarised contract 42' });
  feedback = await call(customer.api_key, 'POST', `/api/v1/agents/${summarizer.id}/feedback`, { score: 90, tags: ['accurate'], comment: 'A faithful summary', work_id: work.id });
  // An unverified one, to deactivate; and another partner's, which the list never shows.
  labeler = await call(owner.api_key, 'POST', '/api/v1/agents', { name: 'Image labeler', capabilities: ['data.labeling'], controller: evmController().did });
  foreign = await call(customer.api_key, 'POST', '/api/v1/agents', { name: 'Customer bot', capabilities: ['data.labeling'], controller: evmController().did });

  // The wallet the partner verifies a new agent with: a key of the test, reached through window.ethereum as an extension's would be.
  wallet = evmController();
  ({ context, page, problems } = await c.newPage());
  await page.exposeFunction('testEthereumSign', (hexMessage: string) => wallet.account.signMessage({ message: { raw: hexMessage as `0x${string}` } }));
  await page.addInitScript((address) => {
    const sign = (window as unknown as { testEthereumSign: (hex: unknown) => Promise<string> }).testEthereumSign;
    Object.assign(window, {
      ethereum: {
        request: async ({ method, params }: { method: string; params?: unknown[] }) => {
          if (method === 'eth_requestAccounts') return [address];
          if (method === 'personal_sign' && params?.[1] === address) return sign(params[0]);
          throw new Error(`unsupported: ${method}`);
        },
      },
    });
  }, wallet.account.address);

  await signInAsPartner(page, owner.api_key, 'Agent House');
}, { timeout: 300_000 });

after(async () => {
  await context?.close();
  await c?.close();
});

// The tests run in order on one signed-in page; none of them may leave a console error behind.
afterEach(() => assert.deepEqual(problems, []));

test('the partner lists and filters its agents, registers one and proves its ownership with the browser wallet', { timeout: 480_000 }, async () => {
  await page.getByRole('link', { name: 'Agents' }).click();
  await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
  const list = page.getByRole('region', { name: 'Your agents' });
  await list.locator(`[data-agent="${summarizer.id}"]`).waitFor();
  await list.locator(`[data-agent="${labeler.id}"]`).waitFor();
  assert.equal(await list.locator(`[data-agent="${foreign.id}"]`).count(), 0, "another partner's agent is not listed");
  await audit(page, 'agents');

  // Filters: status and capability narrow the list; a name nobody has says so.
  await page.getByLabel('Status').selectOption('verified');
  await list.locator(`[data-agent="${labeler.id}"]`).waitFor({ state: 'detached' });
  await list.locator(`[data-agent="${summarizer.id}"]`).waitFor();
  await page.getByLabel('Status').selectOption('all');
  await page.getByLabel('Capability').selectOption('data.labeling');
  await list.locator(`[data-agent="${summarizer.id}"]`).waitFor({ state: 'detached' });
  await page.getByLabel('Capability').selectOption('all');
  await page.getByLabel('Name').fill('nobody by this name');
  await page.getByText('No agent matches').waitFor();
  await page.getByLabel('Name').fill('');

  // Register an agent whose controller is the browser wallet's account, then prove it with the wallet.
  await page.getByRole('button', { name: 'Register agent' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Register an agent' });
  await dialog.getByRole('button', { name: 'Register agent' }).click();
  await dialog.getByText('Give the agent a name').waitFor();
  await audit(page, 'agent-register');
  await dialog.getByLabel('Name', { exact: true }).fill('Translator');
  await dialog.getByLabel(/Translation/).check();
  await dialog.getByLabel('Tags (optional)').fill('french, english');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await dialog.getByLabel('Endpoint 1', { exact: true }).fill('https://translator.example/.well-known/agent-card.json');
  await dialog.getByLabel('Controller').fill(wallet.did);
  await dialog.getByRole('button', { name: 'Register agent' }).click();
  await page.getByRole('heading', { name: 'Translator', exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Prove ownership', exact: true }).waitFor();
  const translatorId = page.url().split('/').at(-1)!;
  assert.match(translatorId, /^agr_[0-9a-z]{26}$/);
  await page.getByRole('button', { name: 'Sign elsewhere' }).click();
  await page.getByRole('region', { name: 'Challenge message' }).waitFor();
  await audit(page, 'agent-unverified');
  await page.getByRole('button', { name: 'Sign with Ethereum wallet' }).click();
  await page.getByRole('heading', { name: 'Prove ownership', exact: true }).waitFor({ state: 'detached' });
  const translator = await call(owner.api_key, 'GET', `/api/v1/agents/${translatorId}`);
  assert.equal(translator.status, 'verified');
  assert.deepEqual(translator.tags, ['french', 'english']);
  assert.equal(translator.controller, wallet.did);

});

test("an agent's page: card, reputation and feedback; the partner answers a feedback, downloads the work history and changes a field", { timeout: 480_000 }, async () => {
  const list = page.getByRole('region', { name: 'Your agents' });
  // The verified agent: its card, reputation (one verified work record, one feedback on it) and feedback.
  await page.getByRole('link', { name: 'All agents' }).click();
  await list.getByRole('link', { name: 'Summarizer' }).click();
  await page.getByRole('heading', { name: 'Summarizer', exact: true }).waitFor();
  const reputation = await call(owner.api_key, 'GET', `/api/v1/agents/${summarizer.id}/reputation`);
  assert.ok(reputation.score > 0.5, 'succeeded work and good feedback');
  await page.locator('[data-figure="Score"]', { hasText: `${Math.round(reputation.score * 100)}%` }).waitFor();
  await page.locator('[data-figure="Work records"]', { hasText: '1' }).waitFor();
  await page.locator('[data-component="work/verified"]').waitFor();
  await page.locator('[data-component="feedback/verified"]').waitFor();
  const item = page.locator(`[data-feedback="${feedback.id}"]`);
  await item.getByText('A faithful summary').waitFor();
  await page.locator('[data-head-cid]', { hasText: work.cid }).waitFor();
  await page.getByRole('group', { name: 'Registration file' }).waitFor();
  await audit(page, 'agent-detail');

  // Answer the feedback: public beside it.
  await item.getByRole('button', { name: `Respond to feedback ${feedback.id}` }).click();
  const respond = page.getByRole('dialog', { name: 'Respond to feedback' });
  await respond.getByLabel('Response').fill('Thank you: glad it helped.');
  await audit(page, 'agent-respond');
  await respond.getByRole('button', { name: 'Publish response' }).click();
  await item.locator('[data-response]', { hasText: 'Thank you: glad it helped.' }).waitFor();
  const listed = await call(customer.api_key, 'GET', `/api/v1/agents/${summarizer.id}/feedback`);
  assert.equal(listed.data[0].response, 'Thank you: glad it helped.');

  // The work history as a CAR file.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download .car' }).click();
  const car = await download;
  assert.equal(car.suggestedFilename(), `${summarizer.id}-work-history.car`);

  // Change a field: only it is sent; the agent stays verified.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Summarizer' });
  await edit.getByLabel('Description (optional)').fill('Summarises long documents, in English and French');
  await audit(page, 'agent-edit');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Summarises long documents, in English and French').first().waitFor();
  const edited = await call(owner.api_key, 'GET', `/api/v1/agents/${summarizer.id}`);
  assert.equal(edited.description, 'Summarises long documents, in English and French');
  assert.equal(edited.status, 'verified');
  assert.deepEqual(edited.endpoints, summarizer.endpoints, 'what the form did not change is kept');

});

test('the partner deactivates an agent after confirming; the list shows it deactivated', { timeout: 480_000 }, async () => {
  const list = page.getByRole('region', { name: 'Your agents' });
  // Deactivate the labeler, after confirming.
  await page.goto(`/console/agents/${labeler.id}`);
  await page.getByRole('heading', { name: 'Image labeler', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Deactivate' }).click();
  const confirm = page.getByRole('dialog', { name: 'Deactivate Image labeler?' });
  await audit(page, 'agent-deactivate');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await call(owner.api_key, 'GET', `/api/v1/agents/${labeler.id}`)).status, 'unverified', 'cancelled: nothing changed');
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await confirm.getByRole('button', { name: 'Deactivate agent' }).click();
  await page.getByText('It has left the public registry: searches').waitFor();
  assert.equal((await call(owner.api_key, 'GET', `/api/v1/agents/${labeler.id}`)).status, 'deactivated');
  await audit(page, 'agent-deactivated');
  await page.getByRole('link', { name: 'All agents' }).click();
  await page.getByLabel('Status').selectOption('deactivated');
  await list.locator(`[data-agent="${summarizer.id}"]`).waitFor({ state: 'detached' });
  await list.locator(`[data-agent="${labeler.id}"]`).waitFor();
  assert.equal(await list.locator('[data-agent]').count(), 1);
});
