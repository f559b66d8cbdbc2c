/**
 * The README's billing walkthrough, run as written against a real `veridity serve` on the embedded
 * default (its own PostgreSQL in a data folder, the global manager in-process every 2 s): the shell
 * block under `<!-- billing-walkthrough ... -->`, with only its settings (server URL, admin token,
 * data folder) filled in. Then the month end, which nobody can wait for: this process opens the
 * same database and runs the global manager's tasks with the clock at the next month's start plus
 * the grace (the server keeps the real clock), and the finalized invoice's PDF and CSV are fetched
 * through the server's HTTP API.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '#src/config.ts';
import { globalManagerTasks } from '#src/global-manager-tasks.ts';
import { openExistingRuntime } from '#src/runtime.ts';
import { createLogger } from '#platform/logger.ts';
import { nextPeriodStart } from '#modules/billing/billing-period.ts';
import { cleanEnv, freePort, ROOT, runShell, startProcess, waitFor, type Running } from './support/processes.ts';
import { fillIn, readmeWalkthrough } from './support/readme-walkthrough.ts';
import { pageText } from './support/pdf-page-text.ts';

const missingCurl = spawnSync('sh', ['-c', 'command -v curl']).status !== 0;
const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-readme-billing-'));
// The walkthrough's TMPDIR: the embedded PostgreSQL's own user (the restore's initdb) reads files there, as under /tmp.
await chmod(scratch, 0o755);
let server: Running | undefined;
after(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await rm(scratch, { recursive: true, force: true });
});

test("the README's billing walkthrough runs as written: hourly usage, cap hit, top-up, restored backup; then the month end's invoice as PDF and CSV", { skip: missingCurl && 'curl is not installed', timeout: 240_000 }, async () => {
  const dataDir = path.join(scratch, 'data');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = `vat_${'b'.repeat(40)}`;
  // As the README says to start it: the embedded default, a 2-second global manager cycle.
  server = startProcess(['serve'], cleanEnv({ VERIDITY_DATA_DIR: dataDir, PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1', LEDGER_CHECKPOINT_SECONDS: '1', GLOBAL_MANAGER_INTERVAL_SECONDS: '2' }));
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true, 90_000, `serve\n${server.output()}`);

  const block = await readmeWalkthrough('billing-walkthrough');
  const script = fillIn(block, { VERIDITY_URL: baseUrl, TOKEN: adminToken, DATA: dataDir });
  const env = cleanEnv({ TMPDIR: scratch, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` });
  const run = await runShell(script, { env, cwd: ROOT });
  const transcript = `${run.stdout}\n--- stderr ---\n${run.stderr}\n--- server ---\n${server.output().slice(-4000)}`;
  assert.equal(run.code, 0, transcript);

  const promised = [
    /^500\nstarter\nprepaid\n/m,
    /^200 verified \n200 verified \n200 verified \n/m,
    /^\[\{"period_start":"\d{4}-\d\d-\d\dT\d\d:00:00\.000Z","product":"zk_verification","quantity":3\}\]$/m,
    /^balance -100 spend 100 over_cap BALANCE_EXHAUSTED$/m,
    /^402 PAYMENT_REQUIRED BALANCE_EXHAUSTED$/m,
    /^prepaid balance exhausted: billable calls resume when credits are deposited$/m,
    /^900\ndeposit\n200 verified \ndraft\n/m,
    /ledger OK/,
  ];
  let from = 0;
  for (const pattern of promised) {
    const found = pattern.exec(run.stdout.slice(from));
    assert.ok(found, `the walkthrough prints ${pattern} (after what came before)\n${transcript}`);
    from += found.index + found[0].length;
  }

  // The month end, simulated: the cycle's tasks on the same database, the clock past the month's end and the grace.
  const [walkDir] = (await readdir(scratch)).filter((name) => name.startsWith('tmp.'));
  const apiKey = /API key \(shown once\): (vk_\S+)/.exec(await readFile(path.join(scratch, walkDir!, 'demo.txt'), 'utf8'))![1]!;
  const loaded = loadConfig(cleanEnv({ VERIDITY_DATA_DIR: dataDir, VERIDITY_ADMIN_TOKEN: adminToken }));
  assert.ok(loaded.ok);
  const log = createLogger('warn');
  const opened = await openExistingRuntime(loaded.config, log);
  assert.ok(opened.ok);
  const { runtime } = opened;
  try {
    const monthEnd = new Date(nextPeriodStart(new Date()).getTime() + (loaded.config.globalManager.invoiceGraceMinutes + 1) * 60_000);
    const deps = { pool: runtime.database.pool, db: runtime.database.db, storage: runtime.storage, platformKeys: runtime.platformKeys, log };
    for (const task of globalManagerTasks({ runsKeepDays: 30, billingCurrency: 'EUR', invoiceGraceMinutes: loaded.config.globalManager.invoiceGraceMinutes })) {
      await task.run(deps, { now: monthEnd, signal: new AbortController().signal });
    }
  } finally {
    await runtime.close();
  }

  const asPartner = (url: string) => fetch(`${baseUrl}${url}`, { headers: { 'x-api-key': apiKey } });
  const invoices = await (await asPartner('/api/v1/billing/invoices')).json();
  const invoice = invoices.invoices[0];
  assert.equal(invoice.status, 'finalized', JSON.stringify(invoices));
  assert.match(invoice.number, /^EUR-\d{4}-\d{6}$/);
  const zk = invoice.lines.find((line: { product: string }) => line.product === 'zk_verification');
  assert.deepEqual({ quantity: zk.quantity, included: zk.included, overage: zk.overage, unit_price: zk.unit_price, amount: zk.amount }, { quantity: 4, included: 2, overage: 2, unit_price: 100, amount: 200 });
  assert.equal(invoice.total, 0, 'the deposit covers the month');

  const csv = await asPartner(`/api/v1/billing/invoices/${invoice.id}.csv`);
  assert.equal(csv.status, 200);
  const csvText = await csv.text();
  assert.match(csvText, new RegExp(invoice.number));
  assert.match(csvText, /zk_verification,4,2,2,100,200/);
  assert.match(csvText, /deposits_applied/);
  const pdf = await asPartner(`/api/v1/billing/invoices/${invoice.id}.pdf`);
  assert.equal(pdf.status, 200);
  const pdfText = await pageText(new Uint8Array(await pdf.arrayBuffer()));
  assert.match(pdfText, new RegExp(invoice.number));
});
