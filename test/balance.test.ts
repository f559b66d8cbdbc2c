import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '#platform/clock.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { chargeUsage } from '#modules/billing/charge-usage.ts';
import { postBalanceTransaction, type BalanceTransactionKind } from '#modules/billing/post-balance-transaction.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { waitFor } from './support/processes.ts';
import { createRng } from './support/seeded-random.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let now = new Date('2026-03-15T10:30:00Z');
const clock: Clock = { now: () => now };
let t: TestApp;

before(async () => {
  t = await createTestApp({ clock });
  // Starter from April: 2 certificates included, 100 each beyond, a cap of 500.
  const starter = (await t.admin('GET', '/api/admin/plans/starter')).json().current;
  delete starter.version;
  delete starter.effective_from;
  const edited = await t.admin('PUT', '/api/admin/plans/starter', { ...starter, monthly_spending_cap: 500, products: { ...starter.products, evidence_certificate: { included_per_month: 2, unit_price: 100 } } });
  assert.equal(edited.statusCode, 200, edited.body);
  now = new Date('2026-04-10T12:00:00Z');
});
after(async () => t.close());

const get = (apiKey: string, url: string) => t.app.inject({ method: 'GET', url, headers: { 'x-api-key': apiKey } });
/** A billable call with a body the route refuses (400) unless the partner is over its cap (402, checked first). */
const billableCall = (apiKey: string) => t.app.inject({ method: 'POST', url: '/api/v1/verify', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, payload: { nothing: true } });
const charge = () => chargeUsage({ pool: t.database.pool }, { now, currency: 'EUR' });
const deposit = (clientId: string, amount: number, key?: string) =>
  t.app.inject({ method: 'POST', url: `/api/admin/clients/${clientId}/balance/deposits`, headers: { authorization: `Bearer ${t.adminToken}`, ...(key ? { 'idempotency-key': key } : {}) }, payload: { amount } });

async function partnerOnStarter(body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence', 'age_over_18', 'agents'], ...body });
  assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' })).statusCode, 200);
  return partner;
}

async function issueCertificates(clientId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await issueTestCertificate(t, clock, erasureReportInput(clientId));
}

async function unbalancedTransactions(): Promise<number> {
  const { rows } = await t.database.pool.query('SELECT transaction_id FROM balance_entries GROUP BY 1 HAVING sum(amount) <> 0 OR count(*) < 2');
  return rows.length;
}

async function thresholdWebhooks(clientId: string): Promise<number[]> {
  const { rows } = await t.database.pool.query<{ payload: { threshold: number } }>(
    "SELECT payload FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'billing.threshold_reached' ORDER BY created_at, id",
    [clientId],
  );
  return rows.map((row) => row.payload.threshold);
}

async function agentQueries(clientId: string): Promise<number> {
  const { rows } = await t.database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM usage_events WHERE client_id = $1 AND kind = 'agents.query'", [clientId]);
  return rows[0]!.n;
}

async function refusedFor(apiKey: string, reason: string): Promise<void> {
  // The API keeps the account in memory until the database's notification of the change arrives.
  await waitFor(async () => (await billableCall(apiKey)).statusCode === 402, 10_000, `402 ${reason}`);
  const refused = await billableCall(apiKey);
  assert.equal(refused.json().error_code, 'PAYMENT_REQUIRED');
  assert.equal(refused.json().reason, reason);
  assert.ok(refused.json().request_id);
}

describe('prepaid balance', () => {
  test('the ledger always balances: random deposits, charges, refunds and adjustments', async () => {
    const partner = await partnerOnStarter();
    const rng = createRng(15);
    let expected = 0;
    for (let step = 0; step < 60; step++) {
      const kind = rng.pick<BalanceTransactionKind>(['deposit', 'charge', 'refund', 'adjustment']);
      const amount = 1 + rng.int(10_000);
      if (kind === 'deposit') {
        const response = await deposit(partner.id, amount);
        assert.equal(response.statusCode, 201, response.body);
        expected += amount;
        assert.equal(response.json().balance, expected);
        continue;
      }
      const signed = kind === 'charge' ? -amount : kind === 'adjustment' && rng.chance(0.5) ? -amount : amount;
      await inTransaction(t.database.pool, (tx) =>
        postBalanceTransaction(tx, { clientId: partner.id, kind, amount: signed, at: now, ...(kind === 'charge' ? { charge: { period: new Date('2026-04-01T00:00:00Z'), cumulative: step + 1 } } : { reason: `step ${step}` }) }),
      );
      expected += signed;
    }
    assert.equal(await unbalancedTransactions(), 0);
    const balance = (await get(partner.api_key, '/api/v1/billing/balance')).json();
    assert.equal(balance.balance, expected);
    assert.equal(balance.currency, 'EUR');
    assert.equal(balance.billing_mode, 'invoice');

    // Pages of 7 walk every transaction once; the amounts add up to the balance.
    const seen: Array<{ id: string; amount: number }> = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string; amount: number }>; next_cursor: string | null } = (await get(partner.api_key, `/api/v1/billing/balance/transactions?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen.map((row) => row.id)).size, 60);
    assert.equal(seen.reduce((sum, row) => sum + row.amount, 0), expected);
    // One kind at a time: each kind's pages hold exactly its transactions, and the kinds together are all of them.
    const byKind = new Map<string, string[]>();
    for (const kind of ['deposit', 'charge', 'refund', 'adjustment']) {
      const ids: string[] = [];
      let after: string | null = null;
      do {
        const page: { data: Array<{ id: string; kind: string }>; next_cursor: string | null } = (await get(partner.api_key, `/api/v1/billing/balance/transactions?limit=7&kind=${kind}${after ? `&cursor=${after}` : ''}`)).json();
        assert.ok(page.data.every((row) => row.kind === kind), `only ${kind}s`);
        ids.push(...page.data.map((row) => row.id));
        after = page.next_cursor;
      } while (after);
      byKind.set(kind, ids);
    }
    assert.deepEqual([...byKind.values()].flat().sort(), seen.map((row) => row.id).sort());
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance/transactions?kind=gift')).statusCode, 400);
    // The operator reads the same balance; an unknown partner is 404.
    const operatorView = await t.admin('GET', `/api/admin/clients/${partner.id}/balance`);
    assert.equal(operatorView.statusCode, 200, operatorView.body);
    assert.deepEqual(operatorView.json(), balance);
    assert.equal((await t.admin('GET', `/api/admin/clients/${newId('cli')}/balance`)).statusCode, 404);
    // Another partner sees none of them.
    const stranger = await partnerOnStarter();
    assert.deepEqual((await get(stranger.api_key, '/api/v1/billing/balance/transactions')).json().data, []);
  });

  test('an unbalanced transaction is refused at commit; the ledger is append-only', async () => {
    const partner = await partnerOnStarter();
    await assert.rejects(
      inTransaction(t.database.pool, async (tx) => {
        await tx.query("INSERT INTO balance_transactions (id, client_id, kind, created_at) VALUES ('btx_unbalanced', $1, 'deposit', now())", [partner.id]);
        await tx.query("INSERT INTO balance_entries (transaction_id, account, amount) VALUES ('btx_unbalanced', $1, -100), ('btx_unbalanced', 'platform:cash', 99)", [`partner:${partner.id}`]);
      }),
      /does not balance/,
    );
    assert.equal((await deposit(partner.id, 100)).statusCode, 201);
    await assert.rejects(t.database.pool.query('UPDATE balance_entries SET amount = amount * 2'), /append-only/);
    await assert.rejects(t.database.pool.query('DELETE FROM balance_transactions'), /append-only/);
  });

  test('a deposit is posted once per Idempotency-Key; unknown partners are 404', async () => {
    const partner = await partnerOnStarter();
    const first = await deposit(partner.id, 2500, 'dep-1');
    const again = await deposit(partner.id, 2500, 'dep-1');
    assert.equal(first.statusCode, 201);
    assert.equal(again.json().transaction_id, first.json().transaction_id);
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, 2500);
    assert.equal((await deposit(newId('cli'), 10)).statusCode, 404);
    assert.equal((await deposit(partner.id, 0)).statusCode, 400);
  });
});

describe('charges and caps', () => {
  test('charge-usage posts the overage once, survives a crash, raises 80 % / 100 % once, and the cap answers 402', async () => {
    const partner = await partnerOnStarter({ webhook_url: 'https://acme.example/hooks' });
    const served = await get(partner.api_key, '/api/v1/agents');
    assert.equal(served.statusCode, 200, served.body);
    assert.equal(await agentQueries(partner.id), 1);
    // 5 certificates, 2 included: 3 x 100.
    await issueCertificates(partner.id, 5);
    assert.equal((await charge()).charged >= 300, true);
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, -300);
    const twice = await charge();
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, -300, JSON.stringify(twice));
    assert.deepEqual(await thresholdWebhooks(partner.id), []);
    assert.equal((await billableCall(partner.api_key)).statusCode, 400);

    // A crash after the charge was written (the account update fails): nothing is posted; the rerun posts it once. 400 is 80 % of the cap.
    await issueCertificates(partner.id, 1);
    await t.database.pool.query(`CREATE FUNCTION fail_billing_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$;
      CREATE TRIGGER crash_billing_account BEFORE UPDATE ON billing_accounts FOR EACH ROW EXECUTE FUNCTION fail_billing_account()`);
    await assert.rejects(charge(), /crash/);
    await t.database.pool.query('DROP TRIGGER crash_billing_account ON billing_accounts; DROP FUNCTION fail_billing_account()');
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, -300);
    await charge();
    await charge();
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, -400);
    assert.deepEqual(await thresholdWebhooks(partner.id), [80]);
    const charges = (await get(partner.api_key, '/api/v1/billing/balance/transactions')).json().data;
    assert.deepEqual(charges.map((row: { kind: string; amount: number }) => [row.kind, row.amount]), [['charge', -100], ['charge', -300]]);

    // 700 of usage, capped at 500: 100 more charged, the 100 % webhook, then 402 on billable calls.
    await issueCertificates(partner.id, 3);
    await charge();
    await charge();
    const balance = (await get(partner.api_key, '/api/v1/billing/balance')).json();
    assert.equal(balance.balance, -500);
    assert.equal(balance.month_to_date_spend, 700);
    assert.equal(balance.monthly_spending_cap, 500);
    assert.equal(balance.over_cap, 'SPENDING_CAP');
    assert.deepEqual(await thresholdWebhooks(partner.id), [80, 100]);
    await refusedFor(partner.api_key, 'SPENDING_CAP');
    assert.match((await billableCall(partner.api_key)).json().error, /monthly spending cap reached/);
    // The agent registry query is billed to a partner key: refused the same way, and not metered; anonymous queries are nobody's.
    const queried = await agentQueries(partner.id);
    const query = await get(partner.api_key, '/api/v1/agents');
    assert.equal(query.statusCode, 402, query.body);
    assert.deepEqual([query.json().error_code, query.json().reason], ['PAYMENT_REQUIRED', 'SPENDING_CAP']);
    assert.equal(await agentQueries(partner.id), queried);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/agents' })).statusCode, 200);
    // Not billable: still served.
    assert.equal((await get(partner.api_key, '/api/v1/billing/plan')).statusCode, 200);
    assert.equal(await unbalancedTransactions(), 0);

    // A new month: the cap applies to that month's spend only.
    now = new Date('2026-05-02T00:00:00Z');
    assert.equal((await billableCall(partner.api_key)).statusCode, 400);
    await charge();
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().balance, -500);
    now = new Date('2026-04-20T12:00:00Z');
  });

  test('prepaid: an exhausted balance answers 402 until a deposit', async () => {
    const partner = await partnerOnStarter();
    const mode = await t.admin('PUT', `/api/admin/clients/${partner.id}/billing-mode`, { billing_mode: 'prepaid' });
    assert.equal(mode.statusCode, 200, mode.body);
    assert.equal((await deposit(partner.id, 150)).statusCode, 201);
    // Within the included quota on a balance not yet used: served.
    assert.equal((await billableCall(partner.api_key)).statusCode, 400);
    await issueCertificates(partner.id, 4);
    await charge();
    const balance = (await get(partner.api_key, '/api/v1/billing/balance')).json();
    assert.equal(balance.balance, -50);
    assert.equal(balance.over_cap, 'BALANCE_EXHAUSTED');
    await refusedFor(partner.api_key, 'BALANCE_EXHAUSTED');
    assert.equal((await get(partner.api_key, '/api/v1/agents')).json().reason, 'BALANCE_EXHAUSTED');

    assert.equal((await deposit(partner.id, 100)).json().balance, 50);
    await waitFor(async () => (await billableCall(partner.api_key)).statusCode === 400, 10_000, 'served again after the deposit');
    assert.equal((await get(partner.api_key, '/api/v1/agents')).statusCode, 200);
    assert.equal((await get(partner.api_key, '/api/v1/billing/balance')).json().over_cap, null);
  });
});

describe('refunds and adjustments', () => {
  const post = (clientId: string, kind: 'refunds' | 'adjustments', payload: Record<string, unknown>, key?: string) =>
    t.app.inject({ method: 'POST', url: `/api/admin/clients/${clientId}/balance/${kind}`, headers: { authorization: `Bearer ${t.adminToken}`, ...(key ? { 'idempotency-key': key } : {}) }, payload });
  const balanceOf = async (apiKey: string) => (await get(apiKey, '/api/v1/billing/balance')).json().balance;
  const invoiceOf = async (apiKey: string) => (await get(apiKey, '/api/v1/billing/invoices')).json().invoices[0];

  test('posted as ledger entries, never above what was charged, shown with their reason, audited, applied on the invoice', async () => {
    const partner = await partnerOnStarter();
    // 5 certificates, 2 included: 300 charged.
    await issueCertificates(partner.id, 5);
    await charge();
    assert.equal(await balanceOf(partner.api_key), -300);

    const refund = await post(partner.id, 'refunds', { amount: 100, reason: 'one certificate issued twice by our mistake', reference: 'CN-7' }, 'refund-1');
    assert.equal(refund.statusCode, 201, refund.body);
    assert.equal(refund.json().balance, -200);
    // Retried with its key: posted once.
    const again = await post(partner.id, 'refunds', { amount: 100, reason: 'one certificate issued twice by our mistake', reference: 'CN-7' }, 'refund-1');
    assert.equal(again.json().transaction_id, refund.json().transaction_id);
    assert.equal(await balanceOf(partner.api_key), -200);
    // The month's draft invoice applies the refund like a deposit.
    const invoice = await invoiceOf(partner.api_key);
    assert.deepEqual([invoice.subtotal, invoice.deposits_applied, invoice.total], [300, 100, 200]);

    // At most what was charged and not refunded yet.
    const over = await post(partner.id, 'refunds', { amount: 201, reason: 'too much' });
    assert.equal(over.statusCode, 409, over.body);
    assert.equal(over.json().error_code, 'CONFLICT');
    assert.equal(over.json().refundable, 200);
    assert.match(over.json().error, /cannot exceed what was charged/);
    assert.match(over.json().request_id, /^req_/);
    assert.equal((await post(partner.id, 'refunds', { amount: 200, reason: 'goodwill' })).statusCode, 201);
    assert.equal((await post(partner.id, 'refunds', { amount: 1, reason: 'once more' })).json().refundable, 0);

    // Adjustments either way.
    const fee = await post(partner.id, 'adjustments', { amount: -50, reason: 'manual onboarding fee' });
    assert.equal(fee.statusCode, 201, fee.body);
    assert.equal(fee.json().balance, -50);
    assert.equal((await post(partner.id, 'adjustments', { amount: 75, reason: 'correction of the fee' })).json().balance, 25);

    const listed = (await get(partner.api_key, '/api/v1/billing/balance/transactions')).json().data;
    assert.deepEqual(
      listed.map((row: Record<string, unknown>) => [row.kind, row.amount, row.reason, row.reference]),
      [
        ['adjustment', 75, 'correction of the fee', null],
        ['adjustment', -50, 'manual onboarding fee', null],
        ['refund', 200, 'goodwill', null],
        ['refund', 100, 'one certificate issued twice by our mistake', 'CN-7'],
        ['charge', -300, null, null],
      ],
    );
    assert.equal(listed.reduce((sum: number, row: { amount: number }) => sum + row.amount, 0), 25);
    assert.equal(await unbalancedTransactions(), 0);
    // Credits 300 + 25 against a subtotal of 300: nothing left to pay.
    assert.deepEqual([(await invoiceOf(partner.api_key)).deposits_applied, (await invoiceOf(partner.api_key)).total], [300, 0]);

    const audited = await t.database.pool.query<{ action: string; details: Record<string, unknown> }>(
      "SELECT action, details FROM audit_logs WHERE target_id = $1 AND action IN ('billing.refund', 'billing.adjustment') ORDER BY at, id",
      [partner.id],
    );
    assert.deepEqual(audited.rows.map((row) => [row.action, row.details.amount, row.details.reason]), [
      ['billing.refund', 100, 'one certificate issued twice by our mistake'],
      ['billing.refund', 200, 'goodwill'],
      ['billing.adjustment', -50, 'manual onboarding fee'],
      ['billing.adjustment', 75, 'correction of the fee'],
    ]);
  });

  test('a negative adjustment exhausts a prepaid balance; a positive one lifts it', async () => {
    const partner = await partnerOnStarter();
    assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/billing-mode`, { billing_mode: 'prepaid' })).statusCode, 200);
    assert.equal((await post(partner.id, 'adjustments', { amount: -1, reason: 'test' })).json().balance, -1);
    await refusedFor(partner.api_key, 'BALANCE_EXHAUSTED');
    assert.equal((await post(partner.id, 'adjustments', { amount: 1, reason: 'test undone' })).json().balance, 0);
    await waitFor(async () => (await billableCall(partner.api_key)).statusCode === 400, 10_000, 'served again after the adjustment');
  });

  test('refused with the contract error body: a negative or zero amount, no reason, an unknown partner', async () => {
    const partner = await partnerOnStarter();
    const refusals: Array<[string, 'refunds' | 'adjustments', Record<string, unknown>, number, string]> = [
      [partner.id, 'refunds', { amount: -5, reason: 'negative' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'refunds', { amount: 0, reason: 'zero' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'refunds', { amount: 5 }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'refunds', { amount: 5, reason: '' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'refunds', { amount: 1.5, reason: 'fraction' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'adjustments', { amount: 0, reason: 'zero' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'adjustments', { amount: -5 }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'adjustments', { amount: '5', reason: 'text' }, 400, 'VALIDATION_FAILED'],
      [partner.id, 'adjustments', { amount: 5, reason: 'x'.repeat(501) }, 400, 'VALIDATION_FAILED'],
      [newId('cli'), 'refunds', { amount: 5, reason: 'nobody' }, 404, 'NOT_FOUND'],
      [newId('cli'), 'adjustments', { amount: 5, reason: 'nobody' }, 404, 'NOT_FOUND'],
      [partner.id, 'refunds', { amount: 5, reason: 'never charged' }, 409, 'CONFLICT'],
    ];
    for (const [clientId, kind, payload, status, code] of refusals) {
      const response = await post(clientId, kind, payload);
      assert.equal(response.statusCode, status, `${kind} ${JSON.stringify(payload)}: ${response.body}`);
      const body = response.json();
      assert.equal(body.error_code, code);
      assert.equal(typeof body.error, 'string');
      assert.match(body.request_id, /^req_/);
    }
    assert.deepEqual((await get(partner.api_key, '/api/v1/billing/balance/transactions')).json().data, []);
  });
});
