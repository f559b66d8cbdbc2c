import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '#platform/clock.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { aggregateBatch, aggregateUsage } from '#modules/metering/aggregate-usage.ts';
import { recordUsages, type UsageEvent } from '#modules/metering/record-usage.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';

let now = new Date('2026-03-15T10:30:00Z');
const clock: Clock = { now: () => now };
let t: TestApp;
before(async () => (t = await createTestApp({ clock })));
after(async () => t.close());

const asPartner = (apiKey: string, url: string) => t.app.inject({ method: 'GET', url, headers: { 'x-api-key': apiKey } });

function zkEvents(clientId: string, times: string[]): UsageEvent[] {
  return times.map((at) => ({ clientId, kind: 'zk.verify', claimType: 'age_over_18', outcome: 'verified', subjectId: newId('prf'), at: new Date(at) }));
}

describe('plans', () => {
  test('the seeded tiers; an edit is a new version from the next UTC month', async () => {
    now = new Date('2026-03-15T10:30:00Z');
    const starter = (await t.admin('GET', '/api/admin/plans/starter')).json();
    assert.equal(starter.currency, 'EUR');
    assert.equal(starter.current.version, 1);
    assert.equal(starter.current.rate_limit_per_minute, 60);
    assert.equal(starter.next, null);

    const terms = { ...starter.current, rate_limit_per_minute: 30 };
    delete terms.version;
    delete terms.effective_from;
    const edited = await t.admin('PUT', '/api/admin/plans/pro', { ...terms, monthly_spending_cap: null });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().current.version, 1);
    assert.equal(edited.json().next.version, 2);
    assert.equal(edited.json().next.effective_from, '2026-04-01T00:00:00.000Z');
    // Edited again in the same month: the waiting version is replaced.
    const again = await t.admin('PUT', '/api/admin/plans/pro', { ...terms, rate_limit_per_minute: 40 });
    assert.equal(again.json().next.version, 2);
    assert.equal(again.json().next.rate_limit_per_minute, 40);

    assert.equal((await t.admin('PUT', '/api/admin/plans/pro', { ...terms, products: {} })).statusCode, 400);
    assert.equal((await t.admin('GET', '/api/admin/plans/gold')).statusCode, 400);

    now = new Date('2026-04-01T00:00:00Z');
    const april = (await t.admin('GET', '/api/admin/plans/pro')).json();
    assert.equal(april.current.version, 2);
    assert.equal(april.current.rate_limit_per_minute, 40);
    assert.equal(april.next, null);
  });

  test('an edit "now" rewrites the current month of a tier no partner is on this month, else 409', async () => {
    now = new Date('2027-01-10T08:00:00Z');
    const terms = { ...(await t.admin('GET', '/api/admin/plans/enterprise')).json().current, monthly_spending_cap: 300 };
    delete terms.version;
    delete terms.effective_from;
    const edited = await t.admin('PUT', '/api/admin/plans/enterprise?effective=now', terms);
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().current.effective_from, '2027-01-01T00:00:00.000Z');
    assert.equal(edited.json().current.monthly_spending_cap, 300);
    assert.equal(edited.json().next, null);

    const partner = await createPartner(t);
    assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'enterprise', effective: 'now' })).statusCode, 200);
    const refused = await t.admin('PUT', '/api/admin/plans/enterprise?effective=now', { ...terms, monthly_spending_cap: 100 });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error_code, 'CONFLICT');
    assert.equal((await t.admin('GET', '/api/admin/plans/enterprise')).json().current.monthly_spending_cap, 300);
    // The next month: the partner is on the tier since its start, so "now" is refused then too.
    now = new Date('2027-02-03T00:00:00Z');
    assert.equal((await t.admin('PUT', '/api/admin/plans/enterprise?effective=now', terms)).statusCode, 409);
    assert.equal((await t.admin('PUT', '/api/admin/plans/enterprise?effective=sometime', terms)).statusCode, 400);
  });

  test('assigning a plan: "now" only for the first, later changes from the next period', async () => {
    now = new Date('2026-04-10T12:00:00Z');
    const partner = await createPartner(t);
    assert.equal(partner.rate_limit_per_minute, null);
    assert.equal((await asPartner(partner.api_key, '/api/v1/billing/plan')).json().tier, null);

    const first = await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().effective_from, now.toISOString());
    const mine = (await asPartner(partner.api_key, '/api/v1/billing/plan')).json();
    assert.equal(mine.tier, 'starter');
    assert.equal(mine.plan.current.products.zk_verification.included_per_month, 1000);

    assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'pro', effective: 'now' })).statusCode, 409);
    const change = await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'pro' });
    assert.equal(change.json().effective_from, '2026-05-01T00:00:00.000Z');
    const scheduled = (await asPartner(partner.api_key, '/api/v1/billing/plan')).json();
    assert.equal(scheduled.tier, 'starter');
    assert.deepEqual(scheduled.next_tier, { tier: 'pro', effective_from: '2026-05-01T00:00:00.000Z' });

    now = new Date('2026-05-01T00:00:01Z');
    assert.equal((await asPartner(partner.api_key, '/api/v1/billing/plan')).json().tier, 'pro');
    assert.equal((await t.admin('PUT', `/api/admin/clients/${newId('cli')}/plan`, { tier: 'pro' })).statusCode, 404);
  });

  test("the rate limit comes from the plan; the client's own limit wins", async () => {
    now = new Date('2026-06-02T08:00:00Z');
    const partner = await createPartner(t);
    assert.equal((await asPartner(partner.api_key, '/api/v1/me')).json().rate_limit_per_minute, 120);
    await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' });
    // The plan change reaches the in-memory limit through the change feed.
    let me = await asPartner(partner.api_key, '/api/v1/me');
    for (let i = 0; i < 50 && me.json().rate_limit_per_minute !== 60; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      me = await asPartner(partner.api_key, '/api/v1/me');
    }
    assert.equal(me.json().rate_limit_per_minute, 60);
    let last = me;
    for (let i = 0; i < 60 && last.statusCode !== 429; i++) last = await asPartner(partner.api_key, '/api/v1/me');
    assert.equal(last.statusCode, 429);
    assert.equal(last.json().error_code, 'RATE_LIMITED');
    assert.match(last.json().error, /rate limit of 60 requests/);

    const overridden = await t.admin('PATCH', `/api/admin/clients/${partner.id}`, { rate_limit_per_minute: 1000 });
    assert.equal(overridden.json().rate_limit_per_minute, 1000);
    const after = await asPartner(partner.api_key, '/api/v1/me');
    assert.equal(after.statusCode, 200, after.body);
    assert.equal(after.json().rate_limit_per_minute, 1000);
  });
});

describe('usage events', () => {
  test('a certificate emits one CloudEvent in its transaction; the same outcome twice counts once', async () => {
    now = new Date('2026-07-01T09:00:00Z');
    const partner = await createPartner(t, { scopes: ['evidence'] });
    const input = erasureReportInput(partner.id);
    const certificate = await issueTestCertificate(t, clock, input);
    await issueTestCertificate(t, clock, input);
    const { rows } = await t.database.pool.query('SELECT event_id, source, product, client_id, at, quantity FROM usage_events WHERE client_id = $1', [partner.id]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].event_id, `evidence_certificate:${certificate.certificateId}`);
    assert.equal(rows[0].source, '/certificates');
    assert.equal(rows[0].quantity, 1);

    const [event] = zkEvents(partner.id, ['2026-07-01T09:10:00Z']);
    await inTransaction(t.database.pool, (tx) => recordUsages(tx, [event!]));
    await inTransaction(t.database.pool, (tx) => recordUsages(tx, [event!]));
    const usage = (await asPartner(partner.api_key, '/api/v1/usage?from=2026-07-01T00:00:00Z&granularity=month')).json();
    assert.deepEqual(usage.series, [
      { period_start: '2026-07-01T00:00:00.000Z', product: 'evidence_certificate', quantity: 1 },
      { period_start: '2026-07-01T00:00:00.000Z', product: 'zk_verification', quantity: 1 },
    ]);
  });
});

describe('aggregation', () => {
  test('totals are the same before and after; two runs at once count each event once; granularity', async () => {
    const partner = await createPartner(t);
    const other = await createPartner(t);
    const times = ['2026-08-01T10:05:00Z', '2026-08-01T10:55:00Z', '2026-08-01T11:00:00Z', '2026-08-02T00:30:00Z', '2026-09-03T12:00:00Z'];
    await inTransaction(t.database.pool, (tx) => recordUsages(tx, [...zkEvents(partner.id, times), ...zkEvents(other.id, times)]));
    const read = async (granularity: string) => (await asPartner(partner.api_key, `/api/v1/usage?from=2026-08-01T00:00:00Z&to=2026-10-01T00:00:00Z&granularity=${granularity}`)).json().series;
    const before = { hour: await read('hour'), day: await read('day'), month: await read('month') };
    assert.deepEqual(before.hour.map((p: { quantity: number }) => p.quantity), [2, 1, 1, 1]);
    assert.deepEqual(before.day.map((p: { period_start: string; quantity: number }) => [p.period_start.slice(0, 10), p.quantity]), [['2026-08-01', 3], ['2026-08-02', 1], ['2026-09-03', 1]]);
    assert.deepEqual(before.month.map((p: { quantity: number }) => p.quantity), [4, 1]);
    const adminBefore = (await t.admin('GET', `/api/admin/usage?verifier_id=${partner.id}`)).json();

    // Two runs at once in small batches share the events.
    const runs = await Promise.all([aggregateUsage(t.database, { now, batchSize: 2 }), aggregateUsage(t.database, { now, batchSize: 2 })]);
    assert.ok(runs[0].events + runs[1].events >= 10);
    const { rows } = await t.database.pool.query('SELECT sum(quantity)::int AS quantity FROM usage_records WHERE client_id = $1', [partner.id]);
    assert.equal(rows[0].quantity, 5);
    assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM usage_events WHERE aggregated_at IS NULL')).rows[0].n, 0);
    assert.deepEqual({ hour: await read('hour'), day: await read('day'), month: await read('month') }, before);
    assert.deepEqual((await t.admin('GET', `/api/admin/usage?verifier_id=${partner.id}`)).json(), adminBefore);
    assert.deepEqual(await aggregateUsage(t.database, { now }), { events: 0, batches: 0 });

    // A new event joins the same hour's aggregate through the tail, then through the aggregate.
    await inTransaction(t.database.pool, (tx) => recordUsages(tx, zkEvents(partner.id, ['2026-08-01T10:30:00Z'])));
    assert.equal((await read('hour'))[0].quantity, 3);
    await aggregateUsage(t.database, { now });
    assert.equal((await read('hour'))[0].quantity, 3);
  });

  test('a batch aborted mid-way changes nothing; the next run counts its events once', async () => {
    const partner = await createPartner(t);
    await inTransaction(t.database.pool, (tx) => recordUsages(tx, zkEvents(partner.id, ['2026-10-05T10:00:00Z', '2026-10-05T10:01:00Z'])));
    const total = async () => (await asPartner(partner.api_key, '/api/v1/usage?granularity=month')).json().series[0].quantity;
    assert.equal(await total(), 2);
    await assert.rejects(inTransaction(t.database.pool, async (tx) => {
      assert.ok((await aggregateBatch(tx, now, 1000)) >= 2);
      throw new Error('crash after marking and counting, before commit');
    }), /crash/);
    assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM usage_records WHERE client_id = $1', [partner.id])).rows[0].n, 0);
    assert.equal(await total(), 2);
    await aggregateUsage(t.database, { now });
    assert.equal(await total(), 2);
    assert.equal((await t.database.pool.query('SELECT sum(quantity)::int AS n FROM usage_records WHERE client_id = $1', [partner.id])).rows[0].n, 2);
  });
});
