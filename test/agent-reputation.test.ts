/**
 * The agent reputation model (docs/reputation.md) end to end on a real PostgreSQL: numbers
 * computed by hand from a few events, decay with a moved clock, incremental == recomputation,
 * revocation, self feedback, the payer limit, the sybil case (1,000 bare five-star reviews against
 * 10 paid and verified ones), and the signed badge against the published JWKS.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { getAddress, type Hex } from 'viem';
import type { Clock } from '#platform/clock.ts';
import { signEvmPayment } from '#modules/x402/sign-evm-payment.ts';
import { giveFeedback } from '#modules/agents/give-feedback.ts';
import { recomputeReputation } from '#modules/agents/recompute-reputation.ts';
import { DEFAULT_REPUTATION_SETTINGS } from '#modules/agents/reputation-model.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const DAY_MS = 86_400_000;
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const deps = () => ({ pool: t.database.pool, clock, reputation: DEFAULT_REPUTATION_SETTINGS });
const close = (actual: number, expected: number, message?: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} ${actual} != ${expected}`);

let t: TestApp;
const encryptionKey = randomBytes(32);
let owner: Record<string, any>;
const requirements = { scheme: 'exact', network: 'eip155:84532', amount: '10000', payTo: getAddress(`0x${randomBytes(20).toString('hex')}`), asset: getAddress(`0x${randomBytes(20).toString('hex')}`), maxTimeoutSeconds: 300, extra: { name: 'USD Coin', version: '2' } };

const call = (apiKey: string | undefined, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
  t.app.inject({ method, url, headers: apiKey ? { 'x-api-key': apiKey } : {}, ...(body === undefined ? {} : { payload: body as object }) });

async function registerAgent(name = `Worker ${randomBytes(3).toString('hex')}`): Promise<string> {
  const controller = `did:pkh:eip155:1:${privateKeyToAccount(generatePrivateKey()).address}`;
  const response = await call(owner.api_key, 'POST', '/api/v1/agents', { name, capabilities: ['nlp.summarization'], controller });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

async function recordWork(agentId: string, outcome: 'succeeded' | 'failed' = 'succeeded'): Promise<string> {
  const certificate = await issueTestCertificate(t, clock, erasureReportInput(owner.id));
  const response = await call(owner.api_key, 'POST', `/api/v1/agents/${agentId}/work`, { evidence_id: certificate.certificateId, outcome });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

async function settle(apiKey: string, agentId: string, workId: string | undefined, payerKey: Hex = generatePrivateKey()): Promise<string> {
  const payment = await signEvmPayment({ privateKey: payerKey, requirements, version: 2, now: clock.now() });
  assert.ok(payment.ok);
  const response = await call(apiKey, 'POST', '/api/v1/x402/settle', { payment: payment.value.header, payment_requirements: requirements, agent_id: agentId, ...(workId ? { work_id: workId } : {}) });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

async function feedback(apiKey: string, agentId: string, body: Record<string, unknown>): Promise<string> {
  const response = await call(apiKey, 'POST', `/api/v1/agents/${agentId}/feedback`, body);
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

async function reputation(agentId: string): Promise<Record<string, any>> {
  const response = await call(undefined, 'GET', `/api/v1/agents/${agentId}/reputation`);
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const component = (body: Record<string, any>, key: string) => body.components.find((c: any) => `${c.source}/${c.strength}` === key);

async function assertRecomputeAgrees(agentId: string) {
  const report = await recomputeReputation(deps(), agentId, { write: false });
  assert.equal(report.itemsDiffering, 0);
  assert.ok(report.largestDifference < 1e-9, `incremental and recomputed differ by ${report.largestDifference}`);
  assert.equal(report.differs, false);
}

before(async () => {
  t = await createTestApp({ clock, encryptionKey });
  owner = await createPartner(t, { name: 'Agent owner', scopes: ['agents', 'evidence'] });
});

after(async () => t.close());

describe('reputation model', () => {
  test('hand-computed: work outcomes, bare, self, paid + verified feedback, diminishing weight, revocation, decay', async () => {
    const client1 = await createPartner(t, { name: 'Client 1', scopes: ['agents'] });
    const client2 = await createPartner(t, { name: 'Client 2', scopes: ['agents'] });
    const agent = await registerAgent();
    assert.equal((await reputation(agent)).score, null, 'no evidence: no score');
    const w1 = await recordWork(agent, 'succeeded'); // work/verified: P 1
    await recordWork(agent, 'failed'); // work/verified: N 1
    const w2 = (await call(owner.api_key, 'GET', `/api/v1/agents/${agent}/work`)).json().data.find((w: any) => w.outcome === 'failed').id;
    await feedback(client1.api_key, agent, { score: 80 }); // bare 0.25: P 0.2, N 0.05
    await feedback(owner.api_key, agent, { score: 100 }); // self: ignored
    const settlement = await settle(client2.api_key, agent, w1); // w1 becomes paid_verified: P 4
    await feedback(client2.api_key, agent, { score: 90, settlement_id: settlement, work_id: w1 }); // paid_verified 4: P 3.6, N 0.4
    // P = 4 + 0.2 + 3.6 = 7.8, N = 1 + 0.05 + 0.4 = 1.45, M = 9.25
    let body = await reputation(agent);
    close(body.score, 8.8 / 11.25, 'score = (1 + 7.8) / (2 + 9.25)');
    close(body.confidence, 9.25 / 14.25, 'confidence = 9.25 / (9.25 + 5)');
    close(component(body, 'work/paid_verified').positive, 4);
    close(component(body, 'work/verified').negative, 1);
    close(component(body, 'feedback/paid_verified').positive, 3.6);
    close(component(body, 'feedback/bare').negative, 0.05);
    assert.deepEqual(body.counts, { work: 2, validations: 2, feedback: 2, feedback_self: 1, feedback_revoked: 0 });
    const stored = (await call(owner.api_key, 'GET', `/api/v1/agents/${agent}`)).json();
    close(stored.reputation.score, 8.8 / 11.25, 'the registry summary');
    // client1's second feedback on the agent (verified, on the failed record) weighs 1 / (1 + 1): N 0.5
    const second = await feedback(client1.api_key, agent, { score: 0, work_id: w2 });
    body = await reputation(agent);
    close(component(body, 'feedback/verified').negative, 0.5);
    close(body.score, 8.8 / 11.75);
    await assertRecomputeAgrees(agent);
    // Revoked: removed again.
    assert.equal((await call(client1.api_key, 'DELETE', `/api/v1/agents/${agent}/feedback/${second}`)).statusCode, 200);
    body = await reputation(agent);
    close(body.score, 8.8 / 11.25);
    assert.equal(component(body, 'feedback/verified'), undefined);
    // 90 days later (the half-life): every mass halves. P 3.9, N 0.725, M 4.625.
    nowMs += 90 * DAY_MS;
    body = await reputation(agent);
    close(component(body, 'work/verified').mass, 0.5, 'a single event\'s mass halves after 90 days');
    close(body.mass, 4.625);
    close(body.score, 4.9 / 6.625);
    close(body.confidence, 4.625 / 9.625);
    // An event now: incremental (stored sums decayed forward) == recomputation from the events.
    await feedback((await createPartner(t, { name: 'Client 3', scopes: ['agents'] })).api_key, agent, { score: 100 });
    body = await reputation(agent);
    close(body.mass, 4.875);
    await assertRecomputeAgrees(agent);
    assert.ok(body.history.length >= 2, 'a history row per day with events');
  });

  test('the payer limit: a payer\'s settlements past 3 in 24 hours back nothing; the owner paying its own agent backs nothing', async () => {
    const client = await createPartner(t, { name: 'Payer', scopes: ['agents'] });
    const agent = await registerAgent();
    const work = await recordWork(agent);
    const payer = generatePrivateKey();
    const settlements = [];
    for (let i = 0; i < 4; i++) {
      nowMs += 1000;
      settlements.push(await settle(client.api_key, agent, undefined, payer));
    }
    await feedback(client.api_key, agent, { score: 100, settlement_id: settlements[3] });
    const body = await reputation(agent);
    assert.equal(component(body, 'feedback/paid'), undefined);
    close(component(body, 'feedback/bare').positive, 0.25, 'the fourth settlement of the payer backs bare feedback');
    assert.equal(body.history.at(-1).day, clock.now().toISOString().slice(0, 10));
    await settle(owner.api_key, agent, work);
    const paidByOwner = await reputation(agent);
    assert.equal(component(paidByOwner, 'work/paid_verified'), undefined, 'the owner\'s own payment does not make its work paid');
    assert.equal(component(paidByOwner, 'work/verified').count, 1);
    await assertRecomputeAgrees(agent);
  });
});

describe('sybil resistance', () => {
  test('1,000 bare five-star reviews from 1,000 partners move a score less than 10 paid, verified ones', async () => {
    const sybil = await registerAgent();
    const honest = await registerAgent();
    await recordWork(sybil);
    const honestWork = await recordWork(honest);
    const baseline = (await reputation(sybil)).score;
    close(baseline, 2 / 3);
    close((await reputation(honest)).score, 2 / 3);
    // 1,000 partners: a few through HTTP, the rest inserted and calling the use case directly.
    const viaHttp = await Promise.all([1, 2, 3, 4, 5].map((i) => createPartner(t, { name: `Sybil ${i}`, scopes: ['agents'] })));
    for (const partner of viaHttp) await feedback(partner.api_key, sybil, { score: 100 });
    const { rows } = await t.database.pool.query<{ id: string }>(
      `INSERT INTO api_clients (id, name, scopes)
       SELECT 'cli_sybil' || i || '_' || $1, 'Sybil', '{agents}' FROM generate_series(1, 995) AS i RETURNING id`,
      [randomBytes(4).toString('hex')],
    );
    for (const row of rows) {
      const given = await giveFeedback(deps(), row.id, sybil, { score: 100, tags: [], comment: '', workId: undefined, settlementId: undefined });
      assert.ok(given.ok);
    }
    for (let i = 0; i < 10; i++) {
      const client = await createPartner(t, { name: `Customer ${i}`, scopes: ['agents'] });
      const settlement = await settle(client.api_key, honest, honestWork);
      await feedback(client.api_key, honest, { score: 100, settlement_id: settlement, work_id: honestWork });
    }
    const sybilBody = await reputation(sybil);
    const honestBody = await reputation(honest);
    // Sybil: bare mass 250 capped at 2: (1 + 1 + 2) / (2 + 3) = 0.8. Honest: work 4 + 10 x 4: (1 + 44) / (2 + 44).
    close(sybilBody.score, 0.8);
    close(honestBody.score, 45 / 46);
    assert.equal(sybilBody.counts.feedback, 1000);
    assert.ok(sybilBody.score - baseline! < honestBody.score - baseline!, `sybil moved ${sybilBody.score - baseline!}, paid ${honestBody.score - baseline!}`);
    await assertRecomputeAgrees(sybil);
  });
});

describe('veridity registry recompute-reputation', () => {
  test('reports an agent whose stored numbers differ from its events, fixes them with --write, and agrees after', async () => {
    const env = cleanEnv({ DATABASE_URL: t.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey.toString('hex'), LOG_LEVEL: 'warn' });
    const agent = await registerAgent();
    await recordWork(agent);
    const intact = await runToEnd(['registry', 'recompute-reputation', '--agent', agent], env);
    assert.equal(intact.code, 0, intact.output);
    assert.match(intact.stdout, new RegExp(`${agent} ok`));
    await t.database.pool.query(`UPDATE registry_reputation SET sums = '{"work/verified": {"positive": 7, "negative": 0}}' WHERE agent_id = $1`, [agent]);
    const tampered = await runToEnd(['registry', 'recompute-reputation', '--agent', agent], env);
    assert.equal(tampered.code, 1, tampered.output);
    assert.match(tampered.stdout, new RegExp(`${agent} DIFFERS`));
    const fixed = await runToEnd(['registry', 'recompute-reputation', '--agent', agent, '--write'], env);
    assert.equal(fixed.code, 0, fixed.output);
    assert.match(fixed.stdout, new RegExp(`${agent} FIXED`));
    const again = await runToEnd(['registry', 'recompute-reputation', '--json'], env);
    assert.equal(again.code, 0, again.output);
    assert.ok(JSON.parse(again.stdout).every((report: { differs: boolean }) => !report.differs));
    const usage = await runToEnd(['registry', 'recompute-reputation', '--agent', 'nope'], env);
    assert.equal(usage.code, 2, usage.output);
  });
});

describe('badges', () => {
  test('badge.json verifies against the published JWKS; badge.svg escapes the name', async () => {
    const agent = await registerAgent('<script>alert("x")</script> & Co');
    await recordWork(agent);
    const badge = await call(undefined, 'GET', `/agents/${agent}/badge.json`);
    assert.equal(badge.statusCode, 200, badge.body);
    assert.match(badge.headers['cache-control'] as string, /public, max-age=\d+/);
    const jwks = (await call(undefined, 'GET', '/api/v1/reputation-badges/jwks.json')).json();
    const { payload, protectedHeader } = await jwtVerify(badge.json().jws, createLocalJWKSet(jwks), { currentDate: clock.now() });
    assert.equal(protectedHeader.typ, 'reputation-badge+jwt');
    assert.equal(payload.sub, agent);
    close(payload.score as number, 2 / 3);
    assert.equal(payload.verified, false);
    const svg = await call(undefined, 'GET', `/agents/${agent}/badge.svg`);
    assert.equal(svg.statusCode, 200);
    assert.match(svg.headers['content-type'] as string, /^image\/svg\+xml/);
    assert.ok(!svg.body.includes('<script>'), 'the name is escaped');
    assert.ok(svg.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
    assert.match(svg.body, /67% · conf 17%/);
    assert.equal((await call(undefined, 'GET', '/agents/agr_00000000000000000000000000/badge.svg')).statusCode, 404);
  });
});
