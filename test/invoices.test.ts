/**
 * Invoices (issue 15 part 4) end to end on PostgreSQL: three partners over two months with a tier
 * change and a plan edit between, usage through the metering path (recordUsages, and a real
 * certificate), drafts that follow usage, finalization by the global manager's task (once,
 * immutable, numbered without gaps under concurrent runs), PDF, CSV, the webhook, the export.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Clock } from '#platform/clock.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { aggregateUsage } from '#modules/metering/aggregate-usage.ts';
import { recordUsages, type UsageEvent } from '#modules/metering/record-usage.ts';
import type { CreditsInPeriod } from '#modules/billing/invoices/compute-invoice.ts';
import { finalizeInvoices } from '#modules/billing/invoices/finalize-invoices.ts';
import { invoiceFinalizationTask } from '#modules/billing/global-manager-tasks.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { pageText } from './support/pdf-page-text.ts';

let now = new Date('2026-03-10T12:00:00Z');
const clock: Clock = { now: () => now };
let t: TestApp;
before(async () => (t = await createTestApp({ clock })));
after(async () => t.close());

const GRACE = 15;
const noDeposits: CreditsInPeriod = async () => 0;
const finalize = (creditsInPeriod: CreditsInPeriod = noDeposits) => finalizeInvoices({ pool: t.database.pool, storage: t.storage, currency: 'EUR', creditsInPeriod }, { now, graceMinutes: GRACE });
const asPartner = (partner: Record<string, any>, url: string) => t.app.inject({ method: 'GET', url, headers: { 'x-api-key': partner.api_key } });
const invoicesOf = async (partner: Record<string, any>) => (await asPartner(partner, '/api/v1/billing/invoices')).json().invoices as Array<Record<string, any>>;

let sequence = 0;
/** `count` outcomes of `kind` for `clientId` at `at`, with deterministic event ids, through the metering write. */
async function usage(clientId: string, kind: UsageEvent['kind'], count: number, at: string): Promise<void> {
  const events = Array.from({ length: count }, (): UsageEvent => ({ clientId, kind, claimType: null, outcome: 'verified', subjectId: `invoice-test-${++sequence}`, at: new Date(at) }));
  await inTransaction(t.database.pool, (tx) => recordUsages(tx, events));
}

const line = (product: string, quantity: number, included: number, unit_price: number) => ({ product, quantity, included, overage: quantity - included, unit_price, amount: (quantity - included) * unit_price });
const summary = (invoice: Record<string, any>) => ({ status: invoice.status, tier: invoice.tier, plan_version: invoice.plan_version, lines: invoice.lines, subtotal: invoice.subtotal, deposits_applied: invoice.deposits_applied, total: invoice.total });

const partners: Record<string, Record<string, any>> = {};

test('March: drafts follow usage as it lands; nothing is finalized before the month closed, the grace passed and usage is aggregated', async () => {
  now = new Date('2026-03-10T12:00:00Z');
  partners.a = await createPartner(t, { name: 'Acme, "Recycling"', scopes: ['evidence'], webhook_url: 'https://acme.example/hooks' });
  partners.b = await createPartner(t, { name: 'Beta Bank' });
  partners.c = await createPartner(t, { name: 'Łódź Labs' });
  assert.deepEqual(await invoicesOf(partners.a), [], 'no plan, no invoice');
  for (const [key, tier] of [['a', 'starter'], ['b', 'pro'], ['c', 'starter']] as const) {
    assert.equal((await t.admin('PUT', `/api/admin/clients/${partners[key]!.id}/plan`, { tier, effective: 'now' })).statusCode, 200);
  }

  await usage(partners.a!.id, 'zk.verify', 600, '2026-03-10T13:00:00Z');
  const [early] = await invoicesOf(partners.a!);
  assert.deepEqual(summary(early!), { status: 'draft', tier: 'starter', plan_version: 1, lines: [line('zk_verification', 600, 600, 2)], subtotal: 0, deposits_applied: 0, total: 0 });
  assert.equal(early!.number, null);

  // More usage lands (some aggregated, some not): the same draft, recomputed on read.
  await usage(partners.a!.id, 'zk.verify', 650, '2026-03-20T09:30:00Z');
  await aggregateUsage(t.database, { now, batchSize: 500 });
  now = new Date('2026-03-25T10:00:00Z');
  await issueTestCertificate(t, clock, erasureReportInput(partners.a!.id));
  const draft = (await asPartner(partners.a!, `/api/v1/billing/invoices/${early!.id}`)).json();
  assert.equal(draft.id, early!.id);
  assert.deepEqual(summary(draft), { status: 'draft', tier: 'starter', plan_version: 1, lines: [line('zk_verification', 1250, 1000, 2), line('evidence_certificate', 1, 1, 10)], subtotal: 500, deposits_applied: 0, total: 500 });

  await usage(partners.b!.id, 'tee.verify', 2500, '2026-03-31T23:59:59Z');
  await usage(partners.c!.id, 'evidence.verify', 130, '2026-03-15T00:00:00Z');

  // Changes for April: A moves to pro, the starter tier gets a new version (evidence_verification at 7).
  assert.equal((await t.admin('PUT', `/api/admin/clients/${partners.a!.id}/plan`, { tier: 'pro' })).json().effective_from, '2026-04-01T00:00:00.000Z');
  const starter = (await t.admin('GET', '/api/admin/plans/starter')).json().current;
  const edited = await t.admin('PUT', '/api/admin/plans/starter', {
    rate_limit_per_minute: starter.rate_limit_per_minute,
    monthly_spending_cap: starter.monthly_spending_cap,
    products: { ...starter.products, evidence_verification: { included_per_month: 100, unit_price: 7 } },
  });
  assert.equal(edited.json().next.version, 2);

  now = new Date('2026-04-01T00:10:00Z');
  assert.deepEqual(await finalize(), { finalized: 0, exports: 0 }, 'within the grace');
  now = new Date('2026-04-01T00:20:00Z');
  assert.deepEqual(await finalize(), { finalized: 0, exports: 0 }, 'March usage not aggregated yet');
  assert.equal((await t.admin('GET', '/api/admin/billing/exports/2026-03.csv')).statusCode, 404);
});

test('finalization: once, numbered in order, immutable, announced once; PDF, CSV and export exact', async () => {
  now = new Date('2026-04-01T00:20:00Z');
  await aggregateUsage(t.database, { now });
  // The global manager's task, as the cycle runs it after aggregate-usage.
  const task = invoiceFinalizationTask({ currency: 'EUR', graceMinutes: GRACE });
  const deps = { pool: t.database.pool, db: t.database.db, storage: t.storage, platformKeys: t.platformKeys, log: undefined as never };
  assert.deepEqual(await task.run(deps, { now, signal: new AbortController().signal }), { finalized: 3, exports: 1 });
  assert.deepEqual(await task.run(deps, { now, signal: new AbortController().signal }), { finalized: 0, exports: 0 }, 'a rerun changes nothing');

  const [a] = await invoicesOf(partners.a!);
  const [b] = await invoicesOf(partners.b!);
  const [c] = await invoicesOf(partners.c!);
  assert.deepEqual(summary(a!), { status: 'finalized', tier: 'starter', plan_version: 1, lines: [line('zk_verification', 1250, 1000, 2), line('evidence_certificate', 1, 1, 10)], subtotal: 500, deposits_applied: 0, total: 500 });
  assert.deepEqual(summary(b!), { status: 'finalized', tier: 'pro', plan_version: 1, lines: [line('tee_attestation', 2500, 2000, 5)], subtotal: 2500, deposits_applied: 0, total: 2500 });
  assert.deepEqual(summary(c!), { status: 'finalized', tier: 'starter', plan_version: 1, lines: [line('evidence_verification', 130, 100, 5)], subtotal: 150, deposits_applied: 0, total: 150 });
  assert.deepEqual([a!.number, b!.number, c!.number], ['EUR-2026-000001', 'EUR-2026-000002', 'EUR-2026-000003']);
  assert.equal(a!.finalized_at, '2026-04-01T00:20:00.000Z');

  // Immutable: the database refuses changes to a finalized invoice and its lines.
  const pool = t.database.pool;
  await assert.rejects(pool.query('UPDATE invoices SET total = 0 WHERE id = $1', [a!.id]), /finalized/);
  await assert.rejects(pool.query('DELETE FROM invoices WHERE id = $1', [a!.id]), /finalized/);
  await assert.rejects(pool.query('UPDATE invoice_lines SET amount = 0, overage = 0, quantity = included WHERE invoice_id = $1', [a!.id]), /finalized/);
  await assert.rejects(pool.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [a!.id]), /finalized/);
  await assert.rejects(pool.query("INSERT INTO invoice_lines VALUES ($1, 'agent_query', 1, 1, 0, 1, 0)", [a!.id]), /finalized/);
  // Usage landing late for March does not move the finalized invoice.
  await usage(partners.a!.id, 'zk.verify', 10, '2026-03-31T23:00:00Z');
  assert.deepEqual((await asPartner(partners.a!, `/api/v1/billing/invoices/${a!.id}`)).json(), a);
  await aggregateUsage(t.database, { now });

  // The webhook, once (A has an endpoint).
  const { rows: events } = await pool.query("SELECT client_id, subject_id, payload FROM webhooks_outbox WHERE event_type = 'invoice.finalized'");
  assert.equal(events.length, 1);
  assert.equal(events[0].subject_id, a!.id);
  assert.deepEqual(events[0].payload, {
    event: 'invoice.finalized', invoice_id: a!.id, number: 'EUR-2026-000001', period_start: '2026-03-01T00:00:00.000Z', period_end: '2026-04-01T00:00:00.000Z',
    currency: 'EUR', subtotal: 500, deposits_applied: 0, total: 500, ts: '2026-04-01T00:20:00.000Z',
  });

  // CSV, exact.
  const head = 'invoice_id,number,status,period,client_id,client_name,currency,product,quantity,included,overage,unit_price,amount\r\n';
  const aRows = (id: string) => [
    `${id},EUR-2026-000001,finalized,2026-03,${partners.a!.id},"Acme, ""Recycling""",EUR,zk_verification,1250,1000,250,2,500\r\n`,
    `${id},EUR-2026-000001,finalized,2026-03,${partners.a!.id},"Acme, ""Recycling""",EUR,evidence_certificate,1,1,0,10,0\r\n`,
    `${id},EUR-2026-000001,finalized,2026-03,${partners.a!.id},"Acme, ""Recycling""",EUR,deposits_applied,,,,,0\r\n`,
  ].join('');
  const csv = await asPartner(partners.a!, `/api/v1/billing/invoices/${a!.id}.csv`);
  assert.equal(csv.statusCode, 200);
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  assert.equal(csv.body, head + aRows(a!.id));

  // The PDF: its text layer holds the number, period, partner, lines, totals, currency.
  const pdf = await asPartner(partners.a!, `/api/v1/billing/invoices/${a!.id}.pdf`);
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const shown = (await pageText(pdf.rawPayload)).split('\n');
  for (const expected of ['Invoice', 'EUR-2026-000001', '2026-03-01 to 2026-03-31 (UTC)', `Acme, "Recycling" (${partners.a!.id})`, 'starter, version 1', 'EUR',
    'zk_verification', '1250', '1000', '250', '0.02', '5.00', 'evidence_certificate', 'Subtotal', 'Deposits and credits applied', '0.00', 'Total (EUR)']) {
    assert.ok(shown.includes(expected), `the PDF shows ${JSON.stringify(expected)}: ${JSON.stringify(shown)}`);
  }
  assert.deepEqual(shown.slice(shown.indexOf('zk_verification'), shown.indexOf('zk_verification') + 6), ['zk_verification', '1250', '1000', '250', '0.02', '5.00']);
  // A finalized invoice renders to the same bytes every time; a name outside WinAnsi is printed in its base letters.
  assert.deepEqual((await asPartner(partners.a!, `/api/v1/billing/invoices/${a!.id}.pdf`)).rawPayload, pdf.rawPayload);
  assert.ok((await pageText((await asPartner(partners.c!, `/api/v1/billing/invoices/${c!.id}.pdf`)).rawPayload)).includes('Lódz Labs'));

  // Another partner's invoice is not found.
  for (const suffix of ['', '.pdf', '.csv']) assert.equal((await asPartner(partners.b!, `/api/v1/billing/invoices/${a!.id}${suffix}`)).statusCode, 404);

  // The operator export: every line of the month, all partners, in number order.
  const exported = await t.admin('GET', '/api/admin/billing/exports/2026-03.csv');
  assert.equal(exported.statusCode, 200, exported.body);
  assert.equal(exported.body, [
    head,
    aRows(a!.id),
    `${b!.id},EUR-2026-000002,finalized,2026-03,${partners.b!.id},Beta Bank,EUR,tee_attestation,2500,2000,500,5,2500\r\n`,
    `${b!.id},EUR-2026-000002,finalized,2026-03,${partners.b!.id},Beta Bank,EUR,deposits_applied,,,,,0\r\n`,
    `${c!.id},EUR-2026-000003,finalized,2026-03,${partners.c!.id},Łódź Labs,EUR,evidence_verification,130,100,30,5,150\r\n`,
    `${c!.id},EUR-2026-000003,finalized,2026-03,${partners.c!.id},Łódź Labs,EUR,deposits_applied,,,,,0\r\n`,
  ].join(''));
  assert.equal((await t.storage.get('billing/exports/2026-03.csv'))?.toString(), exported.body);
  // An export lost to a kill before its upload is written again, the same.
  await t.storage.delete('billing/exports/2026-03.csv');
  assert.deepEqual(await finalize(), { finalized: 0, exports: 1 });
  assert.equal((await t.admin('GET', '/api/admin/billing/exports/2026-03.csv')).body, exported.body);
  assert.equal((await t.admin('GET', '/api/admin/billing/exports/2026-13.csv')).statusCode, 400);
});

test('April: the new tier and plan version apply; concurrent finalization runs number every invoice once, without gaps', async () => {
  now = new Date('2026-04-02T08:00:00Z');
  await usage(partners.a!.id, 'zk.verify', 21_000, '2026-04-02T08:00:00Z');
  await usage(partners.a!.id, 'tee.verify', 2100, '2026-04-03T08:00:00Z');
  await usage(partners.c!.id, 'evidence.verify', 120, '2026-04-04T08:00:00Z');
  const [, aprilA] = await invoicesOf(partners.a!);
  assert.deepEqual(summary(aprilA!), { status: 'draft', tier: 'pro', plan_version: 1, lines: [line('zk_verification', 21_000, 20_000, 1), line('tee_attestation', 2100, 2000, 5)], subtotal: 1500, deposits_applied: 0, total: 1500 });

  // Five more partners join in April, each with some usage.
  const more = [];
  for (let i = 0; i < 5; i++) {
    const partner = await createPartner(t, { name: `Partner ${i}` });
    await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' });
    await usage(partner.id, 'zk.verify', 1000 + i, '2026-04-20T08:00:00Z');
    more.push(partner);
  }

  now = new Date('2026-05-01T01:00:00Z');
  await aggregateUsage(t.database, { now });
  // Deposits (the balance ledger's, injected): C deposited 100 in April.
  const deposits: CreditsInPeriod = async (clientId, from, to) => (clientId === partners.c!.id && from.toISOString() === '2026-04-01T00:00:00.000Z' && to.toISOString() === '2026-05-01T00:00:00.000Z' ? 100 : 0);
  const runs = await Promise.all([finalize(deposits), finalize(deposits), finalize(deposits)]);
  assert.equal(runs.reduce((sum, run) => sum + run.finalized, 0), 8, JSON.stringify(runs));

  const { rows } = await t.database.pool.query("SELECT number FROM invoices WHERE period_start = '2026-04-01T00:00:00Z' AND status = 'finalized' ORDER BY number");
  assert.deepEqual(rows.map((row) => row.number), Array.from({ length: 8 }, (_, i) => `EUR-2026-${String(i + 4).padStart(6, '0')}`));
  const { rows: counter } = await t.database.pool.query("SELECT last_number FROM invoice_number_counters WHERE currency = 'EUR' AND year = 2026");
  assert.equal(counter[0].last_number, 11);

  const april = async (partner: Record<string, any>) => summary((await invoicesOf(partner)).find((invoice) => invoice.period_start === '2026-04-01T00:00:00.000Z')!);
  assert.deepEqual(await april(partners.a!), { status: 'finalized', tier: 'pro', plan_version: 1, lines: [line('zk_verification', 21_000, 20_000, 1), line('tee_attestation', 2100, 2000, 5)], subtotal: 1500, deposits_applied: 0, total: 1500 });
  assert.deepEqual(await april(partners.b!), { status: 'finalized', tier: 'pro', plan_version: 1, lines: [], subtotal: 0, deposits_applied: 0, total: 0 });
  assert.deepEqual(await april(partners.c!), { status: 'finalized', tier: 'starter', plan_version: 2, lines: [line('evidence_verification', 120, 100, 7)], subtotal: 140, deposits_applied: 100, total: 40 });
  assert.deepEqual(await april(more[1]!), { status: 'finalized', tier: 'starter', plan_version: 2, lines: [line('zk_verification', 1001, 1000, 2)], subtotal: 2, deposits_applied: 0, total: 2 });

  // A's two invoices, one webhook each; May is a draft for everyone with a plan.
  const { rows: hooks } = await t.database.pool.query("SELECT count(*)::int AS n FROM webhooks_outbox WHERE event_type = 'invoice.finalized'");
  assert.equal(hooks[0].n, 2);
  const mine = await invoicesOf(partners.b!);
  assert.deepEqual(mine.map((invoice) => [invoice.period_start.slice(0, 7), invoice.status]), [['2026-03', 'finalized'], ['2026-04', 'finalized'], ['2026-05', 'draft']]);
  assert.match((await t.admin('GET', '/api/admin/billing/exports/2026-04.csv')).body, /EUR-2026-000011/);
});
