/**
 * Certificates wait for credits (issue 15 part 3): a prepaid partner out of credits still has its
 * evidence taken in, through the API (single and bulk) and through the ingest gateway connected as
 * its own role, each as `awaiting_credits` with an `evidence.awaiting_credits` webhook; deposits
 * let the global manager's release queue them oldest first, as many as the balance covers, and the
 * evidence worker certifies them. On a real database, object storage and pg-boss.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '#platform/clock.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { overCapReason, type BillingAccount } from '#modules/billing/billing-account.ts';
import { chargeUsage } from '#modules/billing/charge-usage.ts';
import { submissionsCovered } from '#modules/billing/submissions-covered.ts';
import { createCsr } from '#modules/evidence/agents/create-csr.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { releaseAwaitingEvidence } from '#modules/evidence/release-awaiting-evidence.ts';
import { runEvidenceWorkerOnce } from '#modules/evidence/run-evidence-worker.ts';
import { buildIngestApp, type IngestApp } from '#src/ingest-app.ts';
import { evidenceWorkerDeps } from './support/evidence-worker.ts';
import { asIngestRole } from './support/ingest-role.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));

let now = new Date();
const clock: Clock = { now: () => now };
const encryptionKey = randomBytes(32);
let t: TestApp;
let queue: Queue;
let worker: EvidenceWorkerDeps;
let gatewayPool: Pool;
let gateway: IngestApp;

before(async () => {
  t = await createTestApp({ clock, encryptionKey });
  const log = createLogger('silent');
  queue = await startQueue({ connectionString: t.database.url, log, schedule: false });
  await queue.register([VerifyEvidenceJob]);
  worker = evidenceWorkerDeps(t, { clock, encryptionKey, log });
  // The ingest gateway as `veridity ingest` runs it: its own app, connected as veridity_ingest.
  gatewayPool = createPool(await asIngestRole(t.database.url), { max: 2, log });
  gateway = await buildIngestApp({
    config: { bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100_000, publicUrl: 'http://localhost:3000' },
    log,
    clock,
    pool: gatewayPool,
    storage: t.storage,
  });
  // Starter for this month: each evidence verification 50 and each certificate 100, none included, no cap.
  const starter = (await t.admin('GET', '/api/admin/plans/starter')).json().current;
  delete starter.version;
  delete starter.effective_from;
  const products = { ...starter.products, evidence_verification: { included_per_month: 0, unit_price: 50 }, evidence_certificate: { included_per_month: 0, unit_price: 100 } };
  const edited = await t.admin('PUT', '/api/admin/plans/starter?effective=now', { ...starter, monthly_spending_cap: null, products });
  assert.equal(edited.statusCode, 200, edited.body);
});
after(async () => {
  await gateway.close();
  await gatewayPool.end();
  await queue.stop({ graceful: false });
  await t.close();
});

const release = () => releaseAwaitingEvidence({ pool: t.database.pool, creditsCover: submissionsCovered }, { now });
const charge = () => chargeUsage({ pool: t.database.pool }, { now, currency: 'EUR' });

async function prepaidPartner(): Promise<Record<string, any>> {
  const partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence'], webhook_url: 'https://93.184.215.14/hooks' });
  const bundle = (await Promise.all(['ec-root-ca.pem', 'rsa-root-ca.pem'].map(fixture))).join('\n');
  const anchors = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/trust-anchors', headers: { 'x-api-key': partner.api_key, 'content-type': 'application/x-pem-file' }, payload: bundle });
  assert.equal(anchors.statusCode, 200, anchors.body);
  assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/plan`, { tier: 'starter', effective: 'now' })).statusCode, 200);
  assert.equal((await t.admin('PUT', `/api/admin/clients/${partner.id}/billing-mode`, { billing_mode: 'prepaid' })).statusCode, 200);
  return partner;
}

async function enrolledAgentCredential(apiKey: string): Promise<string> {
  const enrollment = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: { 'x-api-key': apiKey } });
  assert.equal(enrollment.statusCode, 201, enrollment.body);
  const csr = await createCsr(generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'Dock 3');
  const enrolled = await t.app.inject({ method: 'POST', url: '/ingest/v1/enroll', headers: { authorization: `Bearer ${enrollment.json().token}`, 'content-type': 'application/pkcs10' }, payload: csr });
  assert.equal(enrolled.statusCode, 201, enrolled.body);
  return enrolled.json().credential;
}

const submit = async (apiKey: string, file: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { 'x-api-key': apiKey, 'content-type': 'application/pkcs7-mime' }, payload: await fixture(file) });

async function statusOf(apiKey: string, id: string): Promise<string> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: { 'x-api-key': apiKey } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().status;
}

const statusesOf = (apiKey: string, ids: string[]) => Promise.all(ids.map((id) => statusOf(apiKey, id)));

async function deposit(clientId: string, amount: number): Promise<number> {
  const response = await t.app.inject({ method: 'POST', url: `/api/admin/clients/${clientId}/balance/deposits`, headers: { authorization: `Bearer ${t.adminToken}` }, payload: { amount } });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().balance;
}

describe('evidence waiting for credits', () => {
  test('out of credits, submissions wait as awaiting_credits (API, bulk, ingest gateway); deposits release them oldest first and they are certified', async () => {
    const partner = await prepaidPartner();
    const key = partner.api_key;

    // A first submission on an empty balance with nothing used yet is served; certified, it costs 150.
    const first = await submit(key, 'ec-embedded.der');
    assert.deepEqual([first.statusCode, first.json().status], [202, 'received']);
    assert.equal((await runEvidenceWorkerOnce(worker, queue)).certified, 1);
    await charge();
    const balance = (await t.app.inject({ method: 'GET', url: '/api/v1/billing/balance', headers: { 'x-api-key': key } })).json();
    assert.deepEqual([balance.balance, balance.over_cap], [-150, 'BALANCE_EXHAUSTED']);

    // Out of credits: taken in all the same, 202, waiting. Through the API...
    const viaApi = await submit(key, 'ec-p384-sha384.der');
    assert.equal(viaApi.statusCode, 202, viaApi.body);
    assert.equal(viaApi.json().status, 'awaiting_credits');
    assert.equal(viaApi.headers.location, `/api/v1/proofs/${viaApi.json().id}`);
    // ... through the ingest gateway, as its own role ...
    const credential = await enrolledAgentCredential(key);
    const viaGateway = await gateway.inject({ method: 'POST', url: '/ingest/v1/proofs', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/pkcs7-mime' }, payload: await fixture('rsa-pkcs1.der') });
    assert.equal(viaGateway.statusCode, 202, viaGateway.body);
    assert.equal(viaGateway.json().status, 'awaiting_credits');
    // ... and in bulk.
    const bulk = await t.app.inject({ method: 'POST', url: '/api/v1/proofs/bulk', headers: { 'x-api-key': key }, payload: [{ der_base64: (await fixture('ed25519.der')).toString('base64') }] });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.deepEqual([bulk.json().results[0].result, bulk.json().results[0].status], ['accepted', 'awaiting_credits']);
    const waiting = [viaApi.json().id, viaGateway.json().id, bulk.json().results[0].id];
    assert.deepEqual(await statusesOf(key, waiting), ['awaiting_credits', 'awaiting_credits', 'awaiting_credits']);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/proofs?status=awaiting_credits', headers: { 'x-api-key': key } });
    assert.deepEqual(listed.json().data.map((row: { id: string }) => row.id).sort(), [...waiting].sort());
    // Nothing queued for them; each announced.
    const jobs = await t.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'evidence.verify' AND data->>'evidence_id' = ANY($1::text[])", [waiting]);
    assert.equal(jobs.rows[0].n, 0);
    const announced = await t.database.pool.query<{ subject_id: string; payload: Record<string, unknown> }>(
      "SELECT subject_id, payload FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'evidence.awaiting_credits' ORDER BY created_at",
      [partner.id],
    );
    assert.deepEqual(announced.rows.map((row) => row.subject_id), waiting);
    assert.deepEqual(Object.keys(announced.rows[0]!.payload), ['event', 'evidence_id', 'sha256', 'status', 'ts']);
    assert.equal(announced.rows[0]!.payload.status, 'awaiting_credits');
    assert.equal(announced.rows[0]!.payload.ts, now.toISOString());

    // No credits, nothing released.
    assert.deepEqual(await release(), { partners: 1, released: 0, waiting: 3 });

    // 300 deposited: 150 of credit, one submission's worth. A release killed mid-way leaves them all waiting; the rerun releases the oldest.
    assert.equal(await deposit(partner.id, 300), 150);
    await t.database.pool.query(`CREATE FUNCTION fail_job_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$;
      CREATE TRIGGER crash_job_insert BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION fail_job_insert()`);
    await assert.rejects(release(), /crash/);
    await t.database.pool.query('DROP TRIGGER crash_job_insert ON pgboss.job; DROP FUNCTION fail_job_insert()');
    assert.deepEqual(await statusesOf(key, waiting), ['awaiting_credits', 'awaiting_credits', 'awaiting_credits']);
    assert.deepEqual(await release(), { partners: 1, released: 1, waiting: 2 });
    assert.deepEqual(await statusesOf(key, waiting), ['received', 'awaiting_credits', 'awaiting_credits']);
    // Queued and not yet decided, it holds its worst-case price: a rerun releases no more.
    assert.deepEqual(await release(), { partners: 1, released: 0, waiting: 2 });

    // Not over the cap any more, but older submissions wait: a new one waits behind them.
    const behind = await submit(key, 'rsa-pss.der');
    assert.equal(behind.json().status, 'awaiting_credits');
    waiting.push(behind.json().id);

    assert.equal((await runEvidenceWorkerOnce(worker, queue)).certified, 1);
    await charge();
    assert.deepEqual(await release(), { partners: 1, released: 0, waiting: 3 });

    // Enough for all of them: released, then certified.
    assert.equal(await deposit(partner.id, 1000), 1000);
    assert.deepEqual(await release(), { partners: 1, released: 3, waiting: 0 });
    assert.equal((await runEvidenceWorkerOnce(worker, queue)).certified, 3);
    assert.deepEqual(await statusesOf(key, waiting), ['certified', 'certified', 'certified', 'certified']);
    const issued = await t.database.pool.query("SELECT payload->>'evidence_id' AS id FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'certificate.issued'", [partner.id]);
    assert.equal(issued.rows.length, 5);
    await charge();
    // 1300 deposited, five certified submissions at 150.
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/billing/balance', headers: { 'x-api-key': key } })).json().balance, 1300 - 5 * 150);
    const unbalanced = await t.database.pool.query('SELECT transaction_id FROM balance_entries GROUP BY 1 HAVING sum(amount) <> 0');
    assert.equal(unbalanced.rows.length, 0);
    assert.deepEqual(await release(), { partners: 0, released: 0, waiting: 0 });
  });

  test('billing_over_cap() (what the submission functions check) is overCapReason, case by case', async () => {
    const partner = await createPartner(t, { name: 'Cases', scopes: ['evidence'] });
    await t.database.pool.query('INSERT INTO billing_accounts (client_id, updated_at) VALUES ($1, now())', [partner.id]);
    const at = new Date('2026-05-20T10:00:00Z');
    const periods = [null, new Date('2026-05-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z')];
    let cases = 0;
    for (const mode of ['invoice', 'prepaid'] as const) {
      for (const balance of [-1, 0, 1]) {
        for (const spend of [0, 5]) {
          for (const cap of [null, 0, 5, 10]) {
            for (const period of periods) {
              const account: BillingAccount = { mode, period, spend, cap, balance };
              await t.database.pool.query('UPDATE billing_accounts SET billing_mode = $2, period = $3, spend = $4, cap = $5, balance = $6 WHERE client_id = $1', [partner.id, mode, period, spend, cap, balance]);
              const { rows } = await t.database.pool.query<{ reason: string | null }>('SELECT billing_over_cap($1, $2) AS reason', [partner.id, at]);
              assert.equal(rows[0]!.reason, overCapReason(account, at) ?? null, JSON.stringify(account));
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 144);
    // No account: nothing refused.
    const { rows } = await t.database.pool.query<{ reason: string | null }>('SELECT billing_over_cap($1, $2) AS reason', [`${partner.id}x`, at]);
    assert.equal(rows[0]!.reason, null);
  });
});
