/**
 * The security suite every route gets (as unkey runs shared route tests): it walks the app's own
 * route table, so a new route is covered the moment it exists, or fails here until it declares
 * what this suite needs (sample path parameters; a foreign-tenant probe for partner ids).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { systemClock } from '#platform/clock.ts';
import { newId } from '#platform/ids.ts';
import { access, type DeclaredRoute } from '#platform/http/route-access.ts';
import { SCOPES } from '#modules/clients/schema.ts';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import { newPublicId } from '#modules/certificates/public-id.ts';
import { createCsr } from '#modules/evidence/agents/create-csr.ts';
import { enqueueNotification } from '#modules/notifications/enqueue-notification.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { buildIngestApp } from '#src/ingest-app.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const EVIDENCE_FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');

let t: TestApp;
let port: number;
/** Owns the resources the other partners probe for. */
let owner: Record<string, any>;
/** Every scope, none of owner's resources. */
let stranger: Record<string, any>;
let owned: { proof: string; task: string; delivery: string; notification: string; certificate: string; evidence: string; trustAnchor: string; tsaAnchor: string; agent: string; registryAgent: string; listedAgent: string; feedback: string; invoice: string; apiKey: string };
/** The ingest credential of an agent enrolled by `stranger`. */
let agentCredential: string;

const SAMPLE_ID = (prefix: Parameters<typeof newId>[0]) => newId(prefix);

/** Path parameters that pass each route's own validation (unknown ids: the handler answers 404). */
const SAMPLE_PARAMS: Record<string, () => Record<string, string>> = {
  '/api/admin/clients/:id': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/rotate-key': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/plan': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/balance/deposits': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/balance/refunds': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/balance/adjustments': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/billing-mode': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/balance': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/wallets': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/wallets/:wallet_id': () => ({ id: SAMPLE_ID('cli'), wallet_id: SAMPLE_ID('wal') }),
  '/api/admin/clients/:id/oidc-users': () => ({ id: SAMPLE_ID('cli') }),
  '/api/admin/clients/:id/oidc-users/:oidc_user_id': () => ({ id: SAMPLE_ID('cli'), oidc_user_id: SAMPLE_ID('oiu') }),
  '/api/console/sessions/:id': () => ({ id: SAMPLE_ID('ses') }),
  '/api/admin/plans/:tier': () => ({ tier: 'starter' }),
  '/api/admin/issuers/:id': () => ({ id: SAMPLE_ID('iss') }),
  '/api/admin/circuits/:id': () => ({ id: SAMPLE_ID('cir') }),
  '/api/admin/artifacts/*': () => ({ '*': 'security-suite/artifact.bin' }),
  '/api/admin/attestations/collateral/:fmspc': () => ({ fmspc: '00906ed50000' }),
  '/api/admin/attestations/os-images/:os_image_hash': () => ({ os_image_hash: 'ab'.repeat(32) }),
  '/api/v1/circuits/:claim_type/:semver/:artifact': () => ({ claim_type: 'age_over_18', semver: '1.0.0', artifact: 'verification_key.json' }),
  '/api/v1/status/:proof_id': () => ({ proof_id: SAMPLE_ID('prf') }),
  '/api/v1/receipts/:id': () => ({ id: SAMPLE_ID('prf') }),
  '/api/v1/tasks/:id': () => ({ id: SAMPLE_ID('tsk') }),
  '/api/v1/tasks/:id/result': () => ({ id: SAMPLE_ID('tsk') }),
  '/api/v1/webhooks/deliveries/:id': () => ({ id: SAMPLE_ID('whk') }),
  '/api/v1/webhooks/deliveries/:id/redeliver': () => ({ id: SAMPLE_ID('whk') }),
  '/api/v1/keys/:id/rotate': () => ({ id: SAMPLE_ID('key') }),
  '/api/v1/keys/:id/disable': () => ({ id: SAMPLE_ID('key') }),
  '/api/v1/notifications/:id': () => ({ id: SAMPLE_ID('ntf') }),
  '/api/v1/notifications/:id/resend': () => ({ id: SAMPLE_ID('ntf') }),
  '/api/v1/ledger/entries/:index': () => ({ index: '0' }),
  '/api/v1/proofs/:id': () => ({ id: SAMPLE_ID('evd') }),
  '/api/v1/evidence/trust-anchors/:id': () => ({ id: SAMPLE_ID('tra') }),
  '/api/v1/evidence/tsa-anchors/:id': () => ({ id: 'ab'.repeat(32) }),
  '/api/admin/evidence/tsa-anchors/:id': () => ({ id: SAMPLE_ID('tra') }),
  '/api/v1/certificates/:id': () => ({ id: SAMPLE_ID('crt') }),
  '/api/v1/evidence/agents/:id': () => ({ id: SAMPLE_ID('agt') }),
  '/ingest/v1/crl/:id': () => ({ id: SAMPLE_ID('aca') }),
  '/api/v1/agents/:id': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/verify': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/work': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/work-history.car': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/feedback': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/feedback/:feedback_id': () => ({ id: SAMPLE_ID('agr'), feedback_id: SAMPLE_ID('fbk') }),
  '/api/v1/agents/:id/feedback/:feedback_id/response': () => ({ id: SAMPLE_ID('agr'), feedback_id: SAMPLE_ID('fbk') }),
  '/agents/:id/registration.json': () => ({ id: SAMPLE_ID('agr') }),
  '/api/v1/agents/:id/reputation': () => ({ id: SAMPLE_ID('agr') }),
  '/agents/:id/badge.json': () => ({ id: SAMPLE_ID('agr') }),
  '/agents/:id/badge.svg': () => ({ id: SAMPLE_ID('agr') }),
  '/agents/:did/capabilities': () => ({ did: 'did:pkh:eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a' }),
  '/api/v1/certificates/:id/certificate.pdf': () => ({ id: SAMPLE_ID('crt') }),
  '/api/v1/certificates/:id/certificate.json': () => ({ id: SAMPLE_ID('crt') }),
  '/api/v1/certificates/:id/revoke': () => ({ id: SAMPLE_ID('crt') }),
  '/api/v1/billing/invoices/:id': () => ({ id: SAMPLE_ID('inv') }),
  '/api/v1/billing/invoices/:id.pdf': () => ({ id: SAMPLE_ID('inv') }),
  '/api/v1/billing/invoices/:id.csv': () => ({ id: SAMPLE_ID('inv') }),
  '/api/admin/billing/exports/:period.csv': () => ({ period: '2026-03' }),
  '/api/v1/public/certificates/:public_id': () => ({ public_id: newPublicId() }),
  '/api/v1/public/certificates/:public_id/receipt': () => ({ public_id: newPublicId() }),
  '/api/v1/public/certificates/:public_id/certificate.pdf': () => ({ public_id: newPublicId() }),
  '/verify/:public_id': () => ({ public_id: newPublicId() }),
  '/prove/assets/*': () => ({ '*': 'holder-page.css' }),
  '/console/*': () => ({ '*': 'partners' }),
  '/docs/*': () => ({ '*': 'index.html' }),
  '/docs/static/*': () => ({ '*': 'index.css' }),
};

/** For each partner route with an id: the id of a resource `owner` has, which no other partner may see. */
const FOREIGN_IDS: Record<string, () => Record<string, string>> = {
  '/api/v1/status/:proof_id': () => ({ proof_id: owned.proof }),
  '/api/v1/receipts/:id': () => ({ id: owned.proof }),
  '/api/v1/tasks/:id': () => ({ id: owned.task }),
  '/api/v1/tasks/:id/result': () => ({ id: owned.task }),
  '/api/v1/webhooks/deliveries/:id': () => ({ id: owned.delivery }),
  '/api/v1/webhooks/deliveries/:id/redeliver': () => ({ id: owned.delivery }),
  '/api/v1/keys/:id/rotate': () => ({ id: owned.apiKey }),
  '/api/v1/keys/:id/disable': () => ({ id: owned.apiKey }),
  '/api/v1/notifications/:id': () => ({ id: owned.notification }),
  '/api/v1/notifications/:id/resend': () => ({ id: owned.notification }),
  '/api/v1/proofs/:id': () => ({ id: owned.evidence }),
  '/api/v1/evidence/trust-anchors/:id': () => ({ id: owned.trustAnchor }),
  '/api/v1/evidence/tsa-anchors/:id': () => ({ id: owned.tsaAnchor }),
  '/api/v1/certificates/:id': () => ({ id: owned.certificate }),
  '/api/v1/certificates/:id/certificate.pdf': () => ({ id: owned.certificate }),
  '/api/v1/certificates/:id/certificate.json': () => ({ id: owned.certificate }),
  '/api/v1/certificates/:id/revoke': () => ({ id: owned.certificate }),
  '/api/v1/billing/invoices/:id': () => ({ id: owned.invoice }),
  '/api/v1/billing/invoices/:id.pdf': () => ({ id: owned.invoice }),
  '/api/v1/billing/invoices/:id.csv': () => ({ id: owned.invoice }),
  '/api/v1/evidence/agents/:id': () => ({ id: owned.agent }),
  '/api/v1/agents/:id': () => ({ id: owned.registryAgent }),
  '/api/v1/agents/:id/verify': () => ({ id: owned.registryAgent }),
  '/api/v1/agents/:id/work': () => ({ id: owned.registryAgent }),
  '/api/v1/agents/:id/feedback/:feedback_id': () => ({ id: owned.registryAgent, feedback_id: owned.feedback }),
  '/api/v1/agents/:id/feedback/:feedback_id/response': () => ({ id: owned.registryAgent, feedback_id: owned.feedback }),
};

/**
 * Partner routes on a public resource, where another partner's id is the point: feedback is given
 * on agents of other partners. The probe checks the stranger is answered (201), not refused.
 */
const ACTS_ON_PUBLIC: Record<string, { params: () => Record<string, string>; status: number }> = {
  'POST /api/v1/agents/:id/feedback': { params: () => ({ id: owned.listedAgent }), status: 201 },
};

/** A valid body for the routes that require one, so the foreign-id probe gets as far as the lookup. */
const SAMPLE_BODIES: Record<string, unknown> = {
  '/api/v1/certificates/:id/revoke': { reason: 'security suite' },
  '/api/v1/agents/:id': { description: 'security suite' },
  '/api/v1/agents/:id/verify': { challenge_id: SAMPLE_ID('agc'), signature: 'security suite' },
  '/api/v1/agents/:id/work': { evidence_id: SAMPLE_ID('prf') },
  '/api/v1/agents/:id/feedback': { score: 50 },
  '/api/v1/agents/:id/feedback/:feedback_id/response': { response: 'security suite' },
};

/** Routes that take a text body (PEM trust anchors): `text/plain` is theirs, and 'hello' is no certificate (400). */
const TAKES_TEXT = new Set(['PUT /api/v1/evidence/trust-anchors', 'PUT /api/v1/evidence/tsa-anchors', 'PUT /api/admin/evidence/tsa-anchors']);

const paramNames = (url: string) => [...url.matchAll(/:([a-z_]+)|\*/g)].map((match) => match[1] ?? '*');

function urlFor(route: DeclaredRoute, params?: Record<string, string>): string {
  const names = paramNames(route.url);
  if (names.length === 0) return route.url;
  const values = params ?? SAMPLE_PARAMS[route.url]?.();
  assert.ok(values, `${route.method} ${route.url}: add sample path parameters to SAMPLE_PARAMS`);
  return route.url.replace(/:([a-z_]+)|\*/g, (_match, name: string | undefined) => values[name ?? '*']!.split('/').map(encodeURIComponent).join('/'));
}

/** A console session of the operator (a fresh one each time: a route may sign it out), as a browser sends it with its CSRF token. */
async function consoleCredentials(body: Record<string, string> = { method: 'admin_token', token: t.adminToken }): Promise<Record<string, string>> {
  const signedIn = await t.app.inject({ method: 'POST', url: '/api/console/sessions', payload: body });
  assert.equal(signedIn.statusCode, 201, signedIn.body);
  const session = signedIn.cookies.find((c) => c.name === 'veridity_session')!.value;
  return { cookie: `veridity_session=${session}`, 'x-csrf-token': signedIn.json().csrf_token };
}

async function credentialsFor(route: DeclaredRoute, partner: Record<string, any> = stranger): Promise<Record<string, string>> {
  if (route.access.auth === 'console') return consoleCredentials();
  if (route.access.auth === 'admin') return { authorization: `Bearer ${t.adminToken}` };
  if (route.access.auth === 'partner') return { 'x-api-key': partner.api_key };
  if (route.access.auth === 'agent') return { authorization: `Bearer ${agentCredential}` };
  return {};
}

const walked = () => t.app.routeTable.filter((route) => route.method !== 'HEAD' && route.method !== 'OPTIONS');
const withBody = (route: DeclaredRoute) => route.method !== 'GET';
const label = (route: DeclaredRoute) => `${route.method} ${route.url}`;

/** The console answers 503 CONSOLE_NOT_BUILT until web/dist is built (npm test builds it first): a state of the checkout, not a failure. */
function consoleNotBuilt(route: DeclaredRoute, response: { statusCode: number; body: string }): boolean {
  return route.url.startsWith('/console') && response.statusCode === 503 && JSON.parse(response.body).reason === 'CONSOLE_NOT_BUILT';
}

function assertNo5xx(route: DeclaredRoute, response: LightMyRequestResponse | { statusCode: number; body: string }): void {
  assert.ok(response.statusCode < 500 || consoleNotBuilt(route, response), `${label(route)} answered ${response.statusCode}: ${response.body}`);
}

function assertError(route: DeclaredRoute, response: LightMyRequestResponse, status: number, code: string): void {
  assertNo5xx(route, response);
  assert.equal(response.statusCode, status, `${label(route)}: ${response.body}`);
  const body = response.json();
  assert.equal(body.error_code, code, `${label(route)}: ${response.body}`);
  assert.match(body.request_id, /^req_/);
}

/** Sends headers that announce `declaredLength` bytes of body, then only `sent` of them, and reads the answer. */
function rawRequest(options: { method: string; path: string; headers: Record<string, string>; declaredLength: number; sent: number }): Promise<{ statusCode: number; body: string; bodyBytesSent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let sentBytes = 0;
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
      if (received.length >= end + 4 + length) {
        socket.destroy();
        resolve({ statusCode: Number(received.slice(9, 12)), body: received.slice(end + 4, end + 4 + length), bodyBytesSent: sentBytes });
      }
    });
    const head = [`${options.method} ${options.path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${options.declaredLength}`, ...Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    if (options.sent > 0) {
      sentBytes = options.sent;
      socket.write(Buffer.alloc(options.sent, 0x7b));
    }
  });
}

before(async () => {
  t = await createTestApp({ bundledCircuits: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
  // Every route is walked several times with these keys: no partner limit should get in the way.
  const unlimited = { rate_limit_per_minute: 1_000_000 };
  owner = await createPartner(t, { name: 'Owner Bank', scopes: [...SCOPES], webhook_url: 'https://owner.example/hooks', ...unlimited });
  stranger = await createPartner(t, { name: 'Stranger Bank', scopes: [...SCOPES], webhook_url: 'https://stranger.example/hooks', ...unlimited });

  // The owner's resources: a verified proof, an attestation task and a webhook delivery.
  const issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Registry', public_key: issuer.publicKey, claim_types: [...CLAIM_TYPES] });
  assert.equal(registered.statusCode, 201, registered.body);
  const nonce = randomBytes(24).toString('base64url');
  const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_18', { nonce, verifierDomain: 'owner.example', param: 18n });
  const asOwner = { 'x-api-key': owner.api_key };
  const verified = await t.app.inject({
    method: 'POST', url: '/api/v1/verify', headers: asOwner,
    payload: { claim_type: 'age_over_18', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: 'owner.example' } },
  });
  assert.equal(verified.statusCode, 200, verified.body);
  const task = await t.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: asOwner, payload: { appId: 'app-1', appName: 'Owner app', appConfigType: 'phala_cloud', evidence: { quote: 'ab'.repeat(64) } } });
  assert.equal(task.statusCode, 202, task.body);
  const delivery = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/test', headers: asOwner });
  const apiKey = await t.app.inject({ method: 'POST', url: '/api/v1/keys', headers: asOwner, payload: { name: 'Security suite' } });
  assert.equal(apiKey.statusCode, 201, apiKey.body);
  assert.equal(delivery.statusCode, 202, delivery.body);
  const evidence = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { ...asOwner, 'content-type': 'application/pkcs7-mime' }, payload: await readFile(path.join(EVIDENCE_FIXTURES, 'ec-embedded.der')) });
  assert.equal(evidence.statusCode, 202, evidence.body);
  const anchor = async (url: string, file: string) => {
    const response = await t.app.inject({ method: 'PUT', url, headers: { ...asOwner, 'content-type': 'application/x-pem-file' }, payload: await readFile(path.join(EVIDENCE_FIXTURES, file)) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().added[0].id as string;
  };
  const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
  const enrollAgent = async (partner: Record<string, any>) => {
    const enrollment = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: { 'x-api-key': partner.api_key } });
    assert.equal(enrollment.statusCode, 201, enrollment.body);
    const csr = await createCsr(generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'security suite');
    const enrolled = await t.app.inject({ method: 'POST', url: '/ingest/v1/enroll', headers: { authorization: `Bearer ${enrollment.json().token}`, 'content-type': 'application/pkcs10' }, payload: csr });
    assert.equal(enrolled.statusCode, 201, enrolled.body);
    return enrolled.json();
  };
  agentCredential = (await enrollAgent(stranger)).credential;
  const registerRegistryAgent = async () => {
    const registered = await t.app.inject({
      method: 'POST', url: '/api/v1/agents', headers: asOwner,
      payload: { name: 'Security suite agent', capabilities: ['nlp.summarization'], controller: 'did:pkh:eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a' },
    });
    assert.equal(registered.statusCode, 201, registered.body);
    return registered.json().id as string;
  };
  const settings = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers: asOwner, payload: { email: 'ops@owner.example' } });
  assert.equal(settings.statusCode, 200, settings.body);
  // As the evidence worker queues one when SMTP is configured (the test app runs without SMTP).
  const notification = await inTransaction(t.database.pool, (tx) =>
    enqueueNotification(tx, { type: 'evidence.rejected', clientId: owner.id, subjectId: evidence.json().id, payload: { evidence_id: evidence.json().id, sha256: 'ab'.repeat(32), error_code: 'CHAIN_UNTRUSTED', explanation: 'x', fix: 'y', error_message: 'z', error_path: null, ts: new Date().toISOString() } }),
  );
  owned = {
    proof: verified.json().proof_id,
    task: task.json().id,
    delivery: delivery.json().delivery_id,
    apiKey: apiKey.json().id,
    notification: notification!,
    evidence: evidence.json().id,
    trustAnchor: await anchor('/api/v1/evidence/trust-anchors', 'ec-root-ca.pem'),
    tsaAnchor: await anchor('/api/v1/evidence/tsa-anchors', 'tsa-root-ca.pem'),
    certificate: certificate.certificateId,
    agent: (await enrollAgent(owner)).agent_id,
    registryAgent: await registerRegistryAgent(),
    // Stays live (the probes deactivate registryAgent): feedback is given on it.
    listedAgent: await registerRegistryAgent(),
    feedback: '',
    invoice: '',
  };
  // A plan gives the owner its month's (draft) invoice, created on the first read.
  assert.equal((await t.admin('PUT', `/api/admin/clients/${owner.id}/plan`, { tier: 'starter', effective: 'now' })).statusCode, 200);
  const invoices = await t.app.inject({ method: 'GET', url: '/api/v1/billing/invoices', headers: asOwner });
  owned.invoice = invoices.json().invoices[0].id;
  const feedback = await t.app.inject({ method: 'POST', url: `/api/v1/agents/${owned.registryAgent}/feedback`, headers: asOwner, payload: { score: 90 } });
  assert.equal(feedback.statusCode, 201, feedback.body);
  owned.feedback = feedback.json().id;
});
after(async () => {
  await releaseProver();
  await t.close();
});

describe('every route', () => {
  test('is in the route table with its access, and the table holds every kind', () => {
    const kinds = new Set(walked().map((route) => route.access.auth));
    assert.deepEqual([...kinds].sort(), ['admin', 'agent', 'console', 'partner', 'public']);
    assert.ok(walked().length >= 50, `only ${walked().length} routes walked`);
  });

  test('without credentials: 401 from the headers alone, before the body is read (a 20 MB body is never sent)', async () => {
    for (const route of walked().filter((r) => r.access.auth !== 'public')) {
      const response = await rawRequest({
        method: route.method, path: urlFor(route), headers: { 'content-type': 'application/json' }, declaredLength: 20 * 1024 * 1024, sent: 16 * 1024,
      });
      assert.equal(response.statusCode, 401, `${label(route)}: ${response.body}`);
      assert.equal(JSON.parse(response.body).error_code, 'UNAUTHORIZED');
    }
  });

  test('without credentials, a body that fails validation still gets 401 (nothing about the schema leaks)', async () => {
    for (const route of walked().filter((r) => r.access.auth !== 'public')) {
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), ...(withBody(route) ? { payload: {} } : {}) });
      assertError(route, response, 401, 'UNAUTHORIZED');
      const wrongKey = await t.app.inject({
        method: route.method as 'POST', url: urlFor(route),
        headers: route.access.auth === 'admin' ? { authorization: 'Bearer vat_wrong' }
          : route.access.auth === 'agent' ? { authorization: `Bearer vag_${randomBytes(32).toString('base64url')}` } : { 'x-api-key': 'vk_wrong' },
      });
      assertError(route, wrongKey, 401, 'UNAUTHORIZED');
    }
  });

  test('a partner key on an operator route, and an operator token on a partner route: 401', async () => {
    for (const route of walked().filter((r) => r.access.auth !== 'public')) {
      const swapped = route.access.auth === 'admin' ? { authorization: `Bearer ${owner.api_key}`, 'x-api-key': owner.api_key } : { authorization: `Bearer ${t.adminToken}` };
      assertError(route, await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: swapped }), 401, 'UNAUTHORIZED');
      // Agent credentials open nothing but the ingest routes; partner keys and tokens never open those.
      const crossed = route.access.auth === 'agent' ? { 'x-api-key': owner.api_key } : { authorization: `Bearer ${agentCredential}` };
      assertError(route, await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: crossed }), 401, 'UNAUTHORIZED');
    }
  });

  test('a partner whose key lacks every scope the route needs: 403', async () => {
    for (const route of walked()) {
      if (route.access.auth !== 'partner' || !route.access.anyScope) continue;
      const needed = route.access.anyScope;
      const other = SCOPES.filter((scope) => !needed.includes(scope));
      const unscoped = await createPartner(t, { name: 'Unscoped', scopes: other });
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: { 'x-api-key': unscoped.api_key }, ...(withBody(route) ? { payload: {} } : {}) });
      assertError(route, response, 403, 'UNAUTHORIZED_SCOPE');
    }
  });

  test("another partner's ids: 404, the same as for ids that do not exist", async () => {
    for (const route of walked()) {
      if (route.access.auth !== 'partner' || paramNames(route.url).length === 0) continue;
      const publicResource = ACTS_ON_PUBLIC[label(route)];
      if (publicResource) {
        const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route, publicResource.params()), headers: await credentialsFor(route), payload: SAMPLE_BODIES[route.url] as object });
        assert.equal(response.statusCode, publicResource.status, `${label(route)}: ${response.body}`);
        continue;
      }
      const foreign = FOREIGN_IDS[route.url];
      assert.ok(foreign, `${label(route)}: add a foreign-tenant probe to FOREIGN_IDS`);
      const body = SAMPLE_BODIES[route.url];
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route, foreign()), headers: await credentialsFor(route), ...(body ? { payload: body as object } : {}) });
      assertError(route, response, 404, 'NOT_FOUND');
      const own = await t.app.inject({ method: route.method as 'GET', url: urlFor(route, foreign()), headers: await credentialsFor(route, owner) });
      assert.notEqual(own.statusCode, 404, `${label(route)}: the owner should see its own resource: ${own.body}`);
      assertNo5xx(route, own);
    }
  });

  test('a body over the route limit: 413 from Content-Length, before it is read', async () => {
    for (const route of walked().filter(withBody)) {
      const limit = route.bodyLimit ?? 256 * 1024;
      const response = await rawRequest({
        method: route.method, path: urlFor(route), headers: { 'content-type': route.url.startsWith('/api/admin/artifacts') ? 'application/octet-stream' : 'application/json', ...(await credentialsFor(route)) },
        declaredLength: limit + 1, sent: 0,
      });
      assert.equal(response.statusCode, 413, `${label(route)}: ${response.body}`);
      assert.equal(JSON.parse(response.body).error_code, 'PAYLOAD_TOO_LARGE');
    }
  });

  test('a content type the route does not take: 415', async () => {
    for (const route of walked().filter(withBody)) {
      const takesText = TAKES_TEXT.has(label(route));
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: { ...(await credentialsFor(route)), 'content-type': takesText ? 'image/png' : 'text/plain' }, payload: 'hello' });
      assertNo5xx(route, response);
      assert.equal(response.statusCode, 415, `${label(route)}: ${response.body}`);
      assert.equal(response.json().error_code, 'UNSUPPORTED_MEDIA_TYPE');
      if (!takesText) continue;
      const text = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: { ...(await credentialsFor(route)), 'content-type': 'text/plain' }, payload: 'hello' });
      assertError(route, text, 400, 'INVALID_TRUST_ANCHOR');
    }
  });

  test('NUL and lone surrogates in path parameters, query strings and bodies: 400', async () => {
    for (const route of walked()) {
      // Fresh for each request: a query string that passes may sign a console session out.
      const headers = () => credentialsFor(route);
      const names = paramNames(route.url);
      for (const bad of ['%00', '%ED%A0%80', 'a%00b']) {
        if (names.length > 0) {
          const path = urlFor(route).split('/');
          path[path.length - 1] = bad;
          const response = await t.app.inject({ method: route.method as 'GET', url: path.join('/'), headers: await headers() });
          assertNo5xx(route, response);
          assert.ok([400, 404].includes(response.statusCode), `${label(route)} with ${bad}: ${response.body}`);
        }
        // Invalid UTF-8 in a query string stays percent-encoded text (nothing unsafe), so only NUL is refused there.
        const query = await t.app.inject({ method: route.method as 'GET', url: `${urlFor(route)}?q=${bad}`, headers: await headers() });
        if (bad.includes('%00')) assertError(route, query, 400, 'VALIDATION_FAILED');
        else assertNo5xx(route, query);
      }
      if (withBody(route) && !route.url.startsWith('/api/admin/artifacts')) {
        for (const text of ['{"name":"a\\u0000b"}', '{"name":"\\ud800"}', '{"\\udc00":1}']) {
          const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: { ...(await headers()), 'content-type': 'application/json' }, payload: text });
          assertError(route, response, 400, 'VALIDATION_FAILED');
          const { error, error_description } = response.json();
          assert.match(error_description ?? error, /NUL characters or unpaired surrogates/, `${label(route)}: ${response.body}`);
        }
      }
    }
  });

  test('a body nested 30,000 deep: 400, never a stack overflow', async () => {
    for (const route of walked().filter(withBody)) {
      if (route.url.startsWith('/api/admin/artifacts')) continue;
      const deep = `${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}`;
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: { ...(await credentialsFor(route)), 'content-type': 'application/json' }, payload: deep });
      assertNo5xx(route, response);
      if (route.bodyLimit === undefined || route.bodyLimit >= deep.length) assertError(route, response, 400, 'VALIDATION_FAILED');
    }
  });

  test('with valid credentials and the sample parameters, no route answers 5xx', async () => {
    for (const route of walked()) {
      if (route.url === '/api/v1/queue/pause') continue; // pausing would stop the other tests' tasks
      const response = await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers: await credentialsFor(route), ...(withBody(route) && !route.url.startsWith('/api/admin/artifacts') ? { payload: {} } : {}) });
      assertNo5xx(route, response);
    }
  });
});

describe('the console session cookie (web console sign-in)', () => {
  const signedInRoutes = () => walked().filter((route) => route.access.auth === 'admin' || route.access.auth === 'partner' || route.access.auth === 'console');

  test('a state-changing request by cookie without X-CSRF-Token: 403 from the headers alone, before the body is read', async () => {
    for (const route of signedInRoutes().filter(withBody)) {
      const { cookie } = route.access.auth === 'partner' ? await consoleCredentials({ method: 'api_key', api_key: stranger.api_key }) : await consoleCredentials();
      const response = await rawRequest({
        method: route.method, path: urlFor(route), headers: { 'content-type': 'application/json', cookie: cookie! }, declaredLength: 20 * 1024 * 1024, sent: 16 * 1024,
      });
      assert.equal(response.statusCode, 403, `${label(route)}: ${response.body}`);
      assert.equal(JSON.parse(response.body).error_code, 'CSRF_TOKEN_INVALID', label(route));
    }
  });

  test("a partner's session on an operator route, an operator's on a partner route: 401; a cookie never opens agent routes", async () => {
    const operator = await consoleCredentials();
    const partner = await consoleCredentials({ method: 'api_key', api_key: stranger.api_key });
    for (const route of walked().filter((r) => r.access.auth === 'admin' || r.access.auth === 'partner' || r.access.auth === 'agent')) {
      const wrong = route.access.auth === 'admin' ? [partner] : route.access.auth === 'partner' ? [operator] : [operator, partner];
      for (const headers of wrong) assertError(route, await t.app.inject({ method: route.method as 'POST', url: urlFor(route), headers }), 401, 'UNAUTHORIZED');
    }
  });

  test('the OpenAPI document names the cookie beside the header credentials, and 403 for CSRF on state-changing operations', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.deepEqual(document.components.securitySchemes.ConsoleSession, { type: 'apiKey', in: 'cookie', name: 'veridity_session', description: document.components.securitySchemes.ConsoleSession.description });
    let checked = 0;
    for (const route of signedInRoutes()) {
      const operation = document.paths[route.url.replace(/:([a-z_]+)/g, '{$1}').replace('/*', '/{key}')]?.[route.method.toLowerCase()];
      if (!operation) continue; // hidden from the document
      checked++;
      assert.ok(operation.security.some((requirement: Record<string, unknown>) => 'ConsoleSession' in requirement), label(route));
      if (withBody(route)) assert.match(operation.responses['403'].description, /CSRF_TOKEN_INVALID/, label(route));
    }
    assert.ok(checked >= 50, `only ${checked} operations found`);
  });
});

describe('paid routes (x402)', () => {
  test('are the ones meant to charge, public and rate limited, and document 402 and the optional partner key', async () => {
    const paid = walked().filter((route) => route.access.auth === 'public' && route.access.paid);
    assert.deepEqual(paid.map(label), ['GET /api/v1/agents']);
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const route of paid) {
      assert.equal(route.access.auth === 'public' && route.access.rateLimit, 'per-ip', label(route));
      const operation = document.paths[route.url.replace(/:([a-z_]+)/g, '{$1}')][route.method.toLowerCase()];
      assert.ok(operation.responses['402'], `${label(route)}: 402 documented`);
      assert.deepEqual(operation.security, [{}, { ApiKeyAuth: [] }]);
    }
  });

  test('POST /api/v1/x402/settle is a partner route of scope agents', () => {
    const settle = walked().find((route) => label(route) === 'POST /api/v1/x402/settle');
    assert.deepEqual(settle?.access, { auth: 'partner', anyScope: ['agents'] });
  });
});

describe('billable routes (spending caps)', () => {
  test('are the routes whose outcome is metered to a partner key (the paid agent query too), and document 402', async () => {
    const billable = walked().filter((route) => (route.access.auth === 'partner' || route.access.auth === 'public') && route.access.billable);
    assert.deepEqual(billable.map(label).sort(), ['GET /api/v1/agents', 'POST /api/v1/tasks', 'POST /api/v1/verify']);
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const route of billable) assert.match(document.paths[route.url][route.method.toLowerCase()].responses['402'].description, /SPENDING_CAP/, label(route));
  });

  test('evidence submissions are metered but never refused over the cap: they wait as awaiting_credits', async () => {
    for (const url of ['/api/v1/proofs', '/api/v1/proofs/bulk', '/ingest/v1/proofs']) {
      const route = walked().find((r) => r.method === 'POST' && r.url === url);
      assert.ok(route && !('billable' in route.access), url);
    }
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(document.paths['/api/v1/proofs'].post.responses['402'], undefined);
    assert.match(document.paths['/api/v1/proofs'].post.description, /awaiting_credits/);
  });
});

describe('responses that carry a secret', () => {
  test('are Cache-Control: no-store (client creation, key rotation, a first webhook URL, webhook secret rotation)', async () => {
    const created = await t.admin('POST', '/api/admin/clients', { name: 'Secretive', scopes: ['age_over_18'] });
    const id = created.json().id;
    const rotated = await t.admin('POST', `/api/admin/clients/${id}/rotate-key`);
    const firstWebhook = await t.admin('PATCH', `/api/admin/clients/${id}`, { webhook_url: 'https://secretive.example/hooks' });
    const secret = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/rotate-secret', headers: { 'x-api-key': rotated.json().api_key } });
    for (const [name, response] of Object.entries({ created, rotated, firstWebhook, secret })) {
      assert.ok(response.statusCode < 300, `${name}: ${response.body}`);
      assert.equal(response.headers['cache-control'], 'no-store', name);
    }
    assert.ok(firstWebhook.json().webhook_secret && secret.json().webhook_secret);
    const listed = await t.admin('GET', '/api/admin/clients');
    assert.notEqual(listed.headers['cache-control'], 'no-store');
  });
});

describe('the ingest gateway (veridity ingest)', () => {
  test('serves agents POST /ingest/v1/proofs and the probes, no other route, and declares no other kind of caller', async () => {
    const gateway = await buildIngestApp({
      config: { bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100_000, publicUrl: 'http://127.0.0.1:3000' },
      log: createLogger('silent'),
      clock: systemClock,
      pool: t.database.pool,
      storage: t.storage,
    });
    try {
      // A route for partners (or operators) cannot even be registered on it.
      assert.throws(() => gateway.get('/api/v1/sneaky', { config: { access: access.partner() } }, async () => ({})), /declares partner access, which this app does not authenticate/);
      assert.throws(() => gateway.get('/api/admin/sneaky', { config: { access: access.admin } }, async () => ({})), /declares admin access/);
      await gateway.ready();
      const routes = gateway.routeTable.filter((route) => route.method !== 'HEAD').map((route) => `${route.method} ${route.url} ${route.access.auth}`);
      assert.deepEqual(routes.sort(), ['GET /healthz public', 'GET /metrics public', 'GET /readyz public', 'POST /ingest/v1/proofs agent']);
      const partnerKey = await gateway.inject({ method: 'POST', url: '/ingest/v1/proofs', headers: { 'x-api-key': stranger.api_key }, payload: { der_base64: 'MA==' } });
      assert.equal(partnerKey.statusCode, 401);
      assert.equal((await gateway.inject({ method: 'GET', url: '/api/v1/proofs', headers: { 'x-api-key': stranger.api_key } })).statusCode, 404);
    } finally {
      await gateway.close();
    }
  });
});
