/**
 * The OpenAPI document a client generator takes as it is: `redocly lint` (recommended rules,
 * redocly.yaml) passes offline with no error and no warning but the accepted ones below, and
 * what lint does not check (operation ids, response descriptions, schema names) is checked
 * here. Also the /docs page: Veridity's, not Fastify's, and allowed by its own CSP.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from './support/processes.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

const REDOCLY = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

/**
 * Warnings that stay, each for a reason: `rule` at `pointer`. Operations that take no input
 * and sit behind no credentials cannot fail with a 4xx: declaring one would be false.
 */
const ACCEPTED_WARNINGS: Array<{ rule: string; pointer: string; why: string }> = [
  ...['/healthz', '/readyz', '/metrics', '/health', '/api/v1/circuits', '/api/v1/attestation-results/jwks.json', '/api/console/config'].map((url) => ({
    rule: 'operation-4xx-response',
    pointer: `#/paths/${url.replaceAll('/', '~1')}/get/responses`,
    why: 'public, no input: nothing a client sends can be refused',
  })),
  ...['/api/console/oidc/start', '/api/console/oidc/callback'].map((url) => ({
    rule: 'operation-2xx-response',
    pointer: `#/paths/${url.replaceAll('/', '~1')}/get/responses`,
    why: 'a browser navigation of the OIDC sign-in: it always answers a redirect',
  })),
];

type Problem = { ruleId: string; severity: 'error' | 'warn'; message: string; location: Array<{ pointer: string }> };
type Operation = { operationId?: string; summary?: string; description?: string; security?: unknown[]; responses: Record<string, { description: string }> };
type Document = {
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

let t: TestApp;
let document: Document;
let scratch: string;

before(async () => {
  t = await createTestApp();
  const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(response.statusCode, 200);
  document = response.json();
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-openapi-'));
});
after(async () => {
  await t.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const operations = () => Object.entries(document.paths).flatMap(([url, methods]) => Object.entries(methods).map(([method, operation]) => ({ label: `${method.toUpperCase()} ${url}`, operation })));

async function lint(): Promise<Problem[]> {
  const file = path.join(scratch, 'openapi.json');
  await writeFile(file, JSON.stringify(document));
  // Offline: no telemetry, no update check (it would ask the npm registry).
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const args = [REDOCLY, 'lint', '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000', file];
  const result = await promisify(execFile)(process.execPath, args, { cwd: scratch, env, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => error);
  const output = String(result.stdout ?? '');
  assert.ok(output.includes('"problems"'), `redocly printed no report: ${result.stderr}`);
  return (JSON.parse(output.slice(output.indexOf('{'))) as { problems: Problem[] }).problems;
}

describe('/openapi.json', () => {
  test('passes redocly lint (recommended) with no error and only the accepted warnings', async () => {
    const problems = await lint();
    const describeProblem = (problem: Problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`;
    const errors = problems.filter((problem) => problem.severity === 'error');
    assert.deepEqual(errors.map(describeProblem), []);
    const accepted = (problem: Problem) => ACCEPTED_WARNINGS.some((warning) => warning.rule === problem.ruleId && warning.pointer === problem.location[0]?.pointer);
    assert.deepEqual(problems.filter((problem) => !accepted(problem)).map(describeProblem), []);
    // An accepted warning that no longer occurs is dropped from the list, so the list stays true.
    const stale = ACCEPTED_WARNINGS.filter((warning) => !problems.some((problem) => problem.ruleId === warning.rule && problem.location[0]?.pointer === warning.pointer));
    assert.deepEqual(stale, []);
  });

  test('every operation has a stable camelCase operationId, a summary, a description and security', () => {
    const ids = new Set<string>();
    for (const { label, operation } of operations()) {
      assert.match(operation.operationId ?? '', /^[a-z][A-Za-z0-9]+$/, `${label}: operationId`);
      assert.ok(!ids.has(operation.operationId!), `${label}: operationId ${operation.operationId} is used twice`);
      ids.add(operation.operationId!);
      assert.ok(operation.summary && operation.description, `${label}: summary and description`);
      assert.ok(Array.isArray(operation.security), `${label}: security (an empty list when public)`);
    }
    for (const expected of ['createClient', 'verifyProof', 'getTask', 'issueAccessToken', 'getReceipt']) assert.ok(ids.has(expected), expected);
  });

  test('every response is described, and every error response carries the error body', () => {
    for (const { label, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        assert.ok(response.description && response.description !== 'Default Response', `${label} ${status}: description`);
        if (Number(status) >= 400) assert.ok(JSON.stringify(response).includes('#/components/schemas/'), `${label} ${status}: error schema`);
      }
    }
  });

  test('servers are given, no path parameter is named *, and no schema is named ...Input', () => {
    assert.ok(document.servers && document.servers.length > 0);
    assert.deepEqual(Object.keys(document.paths).filter((url) => url.includes('{*}')), []);
    assert.ok('/api/admin/artifacts/{key}' in document.paths);
    assert.deepEqual(Object.keys(document.components.schemas).filter((name) => name.endsWith('Input')), []);
  });

  test('the main request and response schemas carry an example', () => {
    for (const name of ['ApiClientCreate', 'ApiClientWithSecrets', 'ProofVerifyRequest', 'ProofVerifyResponse', 'ProofRequestCreate', 'TaskCreate', 'TaskCreated', 'TokenResponse', 'Certificate', 'PublicCertificate', 'CertificateRevoke', 'Error']) {
      assert.ok(Array.isArray((document.components.schemas[name] as { examples?: unknown[] }).examples), `${name}: examples`);
    }
  });

  test('the webhook events are described with their payloads and signature headers', () => {
    assert.deepEqual(Object.keys(document.webhooks ?? {}).sort(), ['agent.settlement.recorded', 'billing.threshold_reached', 'certificate.issued', 'certificate.revoked', 'evidence.awaiting_credits', 'evidence.failed', 'evidence.rejected', 'invoice.finalized', 'proof.failed', 'proof.verified', 'task.completed', 'task.failed', 'webhook.test']);
    for (const schema of ['ProofEvent', 'TaskEvent', 'EvidenceEvent', 'CertificateIssuedEvent', 'CertificateRevokedEvent', 'WebhookTestEvent', 'AgentSettlementEvent', 'BillingThresholdEvent', 'InvoiceFinalizedEvent']) assert.ok(schema in document.components.schemas, schema);
    const headers = JSON.stringify(document.webhooks!['proof.verified']!.post);
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'X-Veridity-Signature']) assert.ok(headers.includes(`"${header}"`), header);
  });
});

describe('/docs', () => {
  test("is Veridity's page, loading only what its own CSP allows", async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(response.statusCode, 200);
    const csp = String(response.headers['content-security-policy']);
    const html = response.body;
    assert.match(html, /<title>Veridity API<\/title>/);
    // No inline script: every <script> has a same-origin src, and the policy allows no inline code.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes!, /src="\.?\/docs\/static\/[^"]+"/);
      assert.equal(body!.trim(), '');
    }
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|https:/);
    // Every stylesheet and icon is same-origin; the logo replaced by the initializer is a data: image, which img-src allows.
    for (const [, href] of html.matchAll(/<link[^>]+href="([^"]+)"/g)) assert.match(href!, /^\.?\/docs\/static\//);
    assert.match(csp, /img-src 'self' data:/);

    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(initializer.statusCode, 200);
    const logo = /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(initializer.body);
    assert.ok(logo, 'the initializer puts our logo in the top bar');
    const svg = Buffer.from(logo[1]!, 'base64').toString('utf8');
    assert.match(svg, /Veridity/);
    assert.doesNotMatch(svg + html, /fastify/i);
  });
});
