/**
 * The client SDK as a partner gets it: `npm pack` in sdk/client (its prepack script builds dist
 * with the SDK's TypeScript 5), the tarball installed into an empty project from the npm cache,
 * then an ESM module there imports `@veridity/client`, builds a client and checks a ledger
 * receipt and a webhook signature offline, run by Node (Node 20 too where it is installed) and by
 * Chromium from the installed files; and a TypeScript file using the client type-checks against
 * the published declarations.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { generateNoteKey, ledgerLeaf } from '#modules/ledger/tlog/index.ts';
import { signWebhook } from '#modules/webhooks/delivery/sign-webhook.ts';
import { ROOT } from './support/processes.ts';
import { LEDGER_ORIGIN, receiptFor } from './support/certificates.ts';

const run = promisify(execFile);
const SDK_DIR = path.join(ROOT, 'sdk/client');
/** Debian's Node 20, the oldest the SDK supports, and Debian's Chromium, when the machine has them. */
const NODE_20 = '/usr/bin/node';
const CHROMIUM = '/usr/bin/chromium';
// Quiet and local: no update check, audit or funding calls to the registry.
const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };

let scratch: string;
let project: string;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-sdk-pack-'));
  project = path.join(scratch, 'project');
  await mkdir(project);
});
after(() => rm(scratch, { recursive: true, force: true }));

/** The partner's code, with nothing Node-specific: run by Node (run.mjs) and by Chromium (index.html). */
const CHECK_MODULE = `import { createVeridityClient, verifyReceipt, verifyWebhookSignature } from '@veridity/client';

export async function check(fixtures) {
  const client = createVeridityClient({ baseUrl: 'https://veridity.example', apiKey: 'vk_example' });
  const receipt = await verifyReceipt(fixtures.receipt, fixtures.ledgerKey, { publicId: fixtures.publicId });
  const webhook = await verifyWebhookSignature(fixtures.webhook.body, fixtures.webhook.headers, fixtures.webhook.secret);
  const tampered = await verifyWebhookSignature(fixtures.webhook.body.replace('1', '2'), fixtures.webhook.headers, fixtures.webhook.secret);
  return { client: [typeof client.GET, typeof client.verifyProof, typeof client.waitForTask], entry: receipt.ok ? receipt.entry : receipt, webhook, tampered };
}
`;

const NODE_RUNNER = `import { readFile } from 'node:fs/promises';
import { check } from './check.mjs';

console.log(JSON.stringify(await check(JSON.parse(await readFile(new URL('./fixtures.json', import.meta.url), 'utf8')))));
`;

const BROWSER_PAGE = `<!doctype html>
<script type="importmap">{"imports": {"@veridity/client": "/node_modules/@veridity/client/dist/index.js", "openapi-fetch": "/node_modules/openapi-fetch/dist/index.mjs"}}</script>
<script type="module">
  import { check } from '/check.mjs';
  window.result = fetch('/fixtures.json').then((response) => response.json()).then(check);
</script>
`;

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };

/** The project folder over HTTP on 127.0.0.1 (a secure context, so WebCrypto is there). */
async function serveFolder(folder: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const file = path.join(folder, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    const body = file.startsWith(folder) ? await readFile(file.endsWith('/') ? path.join(file, 'index.html') : file).catch(() => undefined) : undefined;
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file) || '.html'] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const TYPED_USE = `import { createVeridityClient, type Task } from '@veridity/client';

const client = createVeridityClient({ baseUrl: 'https://veridity.example', apiKey: 'vk_example' });
export async function use(): Promise<Task | undefined> {
  const request = await client.createProofRequest({ claim_type: 'age_over_18', verifier_domain: 'bank.example' });
  const nonce: string | undefined = request.data?.nonce;
  // @ts-expect-error not a claim type the API knows
  await client.createProofRequest({ claim_type: 'age_over_17', verifier_domain: 'bank.example' });
  const task = await client.waitForTask(nonce ?? 'tsk_1');
  return task.ok ? task.task : undefined;
}
`;

test('npm pack, install into an empty project offline, import and verify offline', { timeout: 180_000 }, async () => {
  const packed = await run('npm', ['pack', '--pack-destination', scratch], { cwd: SDK_DIR, env: npmEnv });
  const tarball = path.join(scratch, (await readdir(scratch)).find((name) => name.endsWith('.tgz'))!);
  assert.ok(existsSync(tarball), packed.stdout);

  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
  const install = (flag: string) => run('npm', ['install', flag, '--no-audit', '--no-fund', tarball], { cwd: project, env: npmEnv });
  // openapi-fetch, the one dependency, is in the npm cache since the workspace installed it.
  await install('--offline').catch(() => install('--prefer-offline'));
  const installed = path.join(project, 'node_modules/@veridity/client');
  assert.deepEqual((await readdir(installed)).sort(), ['README.md', 'dist', 'openapi.json', 'package.json']);
  for (const file of await readdir(path.join(installed, 'dist'), { recursive: true })) {
    if (file.endsWith('.js')) assert.doesNotMatch(await readFile(path.join(installed, 'dist', file), 'utf8'), /from ['"]node:|require\(/, `${file}: browser-safe`);
  }

  const ledgerKey = generateNoteKey(LEDGER_ORIGIN);
  const entry = { kind: 'zk_proof', public_id: 'prf_01m8r4pv8cfw4r37m3efwky7vk', claim_type: 'age_over_18', status: 'verified', public_hash: 'cd'.repeat(32), ts: '2026-03-14T09:26:53.000Z' };
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const body = JSON.stringify({ event: 'proof.verified', proof_id: entry.public_id, ts: new Date().toISOString() });
  await writeFile(path.join(project, 'fixtures.json'), JSON.stringify({
    receipt: (await receiptFor(ledgerLeaf(entry), ledgerKey)).receipt,
    ledgerKey: ledgerKey.verifierKey,
    publicId: entry.public_id,
    webhook: { body, headers: signWebhook({ id: 'whk_pack1', timestamp: new Date(), body, secrets: [secret] }), secret },
  }));
  await writeFile(path.join(project, 'check.mjs'), CHECK_MODULE);
  await writeFile(path.join(project, 'run.mjs'), NODE_RUNNER);
  await writeFile(path.join(project, 'index.html'), BROWSER_PAGE);
  const expected = {
    client: ['function', 'function', 'function'],
    entry,
    webhook: { ok: true, event: JSON.parse(body) },
    tampered: { ok: false, reason: 'NO_MATCHING_SIGNATURE' },
  };

  for (const node of [process.execPath, ...(existsSync(NODE_20) ? [NODE_20] : [])]) {
    const { stdout } = await run(node, ['run.mjs'], { cwd: project });
    assert.deepEqual(JSON.parse(stdout), expected, node);
  }

  if (existsSync(CHROMIUM)) {
    const site = await serveFolder(project);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(site.url);
      assert.deepEqual(await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result), expected, 'in Chromium');
    } finally {
      await browser.close();
      await site.close();
    }
  }

  await writeFile(path.join(project, 'use.ts'), TYPED_USE);
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', lib: ['es2022', 'dom'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: [] },
    files: ['use.ts'],
  }));
  const typeCheck = await run(path.join(SDK_DIR, 'node_modules/.bin/tsc'), ['-p', project]).catch((error: { stdout: string }) => error);
  assert.equal(typeCheck.stdout, '', 'the published declarations type-check a use of the client');
});
