import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateToken } from '#platform/crypto/tokens.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver, type IssuerKey } from './support/holder.ts';
import { startOtlpReceiver, SPAN_KIND, type ExportedSpan, type OtlpReceiver } from './support/otlp-receiver.ts';
import { ROOT, waitFor } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

let scratch: string;
let otlp: OtlpReceiver;
let hooks: Receiver;
let issuer: IssuerKey;
const servers: ServeProcess[] = [];
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-telemetry-'));
  otlp = await startOtlpReceiver();
  hooks = await startReceiver();
  issuer = await generateIssuerKey();
});
after(async () => {
  // Those a failed test left running (each test stops its own server when it passes).
  await Promise.all(servers.filter((served) => served.server.child.exitCode === null).map((served) => served.stop()));
  await Promise.all([otlp.close(), hooks.close(), releaseProver()]);
  await rm(scratch, { recursive: true, force: true });
});

/** `serve` with its workers, recording in `probe` every OpenTelemetry module it loads. */
async function serve(name: string, env: Record<string, string>): Promise<{ served: ServeProcess; probe: string }> {
  const probe = path.join(scratch, `${name}.modules`);
  const served = await startServe(path.join(scratch, name), {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'info',
    NODE_OPTIONS: `--import=${path.join(ROOT, 'test/support/opentelemetry-module-probe.ts')}`,
    OTEL_MODULE_PROBE_FILE: probe,
    ...env,
  });
  servers.push(served);
  return { served, probe };
}

/** What the probe recorded: each OpenTelemetry module loaded, and by which module. */
const loadedModules = async (probe: string) =>
  (await readFile(probe, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [url, importer] = line.split(' ');
      return { url: url!, importer: importer ?? '' };
    });

/** A partner with a webhook endpoint at the receiver, an issuer it trusts, and one verified proof; returns what the partner saw. */
async function verifyOnce(served: ServeProcess): Promise<{ nonce: string; apiKey: string; proofId: string }> {
  const admin = { authorization: `Bearer ${served.adminToken}`, 'content-type': 'application/json' };
  const created = await fetch(`${served.baseUrl}/api/admin/clients`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Traced Bank', scopes: ['age_over_18'], webhook_url: hooks.url }) });
  assert.equal(created.status, 201, await created.clone().text());
  const partner = (await created.json()) as { api_key: string };
  const trusted = await fetch(`${served.baseUrl}/api/admin/issuers`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] }) });
  assert.equal(trusted.status, 201, await trusted.clone().text());

  const nonce = generateToken('n');
  const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_18', { nonce, verifierDomain: 'bank.example', param: 18n });
  const verified = await fetch(`${served.baseUrl}/api/v1/verify`, {
    method: 'POST',
    headers: { 'x-api-key': partner.api_key, 'content-type': 'application/json' },
    body: JSON.stringify({ claim_type: 'age_over_18', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: 'bank.example' } }),
  });
  assert.equal(verified.status, 200, await verified.clone().text());
  const { proof_id: proofId } = (await verified.json()) as { proof_id: string };
  return { nonce, apiKey: partner.api_key, proofId };
}

const webhookFor = (proofId: string) => hooks.received.find((request) => JSON.parse(request.body.toString()).proof_id === proofId);

/** SIGTERM: a clean stop, which exports the spans still buffered. */
async function stop(served: ServeProcess): Promise<void> {
  await served.stop();
  assert.equal(await served.server.exited, 0, served.server.output());
}

/** Whether `ancestor` is `span` or one of its parents within `spans`. */
function descendsFrom(spans: ExportedSpan[], span: ExportedSpan, ancestor: ExportedSpan): boolean {
  for (let current: ExportedSpan | undefined = span; current; current = spans.find((s) => s.spanId === current!.parentSpanId)) {
    if (current.spanId === ancestor.spanId) return true;
  }
  return false;
}

test('with OTEL_EXPORTER_OTLP_ENDPOINT, one trace runs from POST /api/v1/verify through its queries to the webhook delivery and the partner', { timeout: 240_000 }, async () => {
  const { served, probe } = await serve('traced', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // Nothing is exported on a timer during the test: the spans arrive only through the flush on SIGTERM.
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048',
  });
  const { nonce, apiKey, proofId } = await verifyOnce(served);
  await waitFor(async () => webhookFor(proofId) !== undefined, 60_000, `the proof.verified webhook\n${served.server.output()}`);
  const traceparent = String(webhookFor(proofId)!.headers.traceparent);
  const [, traceId, parentOfReceiver] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(traceparent) ?? [];
  assert.ok(traceId && parentOfReceiver, `the delivery carries a W3C traceparent header, got '${traceparent}'`);
  assert.equal(otlp.spans.length, 0, 'nothing exported before the stop');
  await stop(served);

  const trace = otlp.spans.filter((span) => span.traceId === traceId);
  const server = trace.find((span) => span.kind === SPAN_KIND.server && span.name === 'POST /api/v1/verify');
  assert.ok(server, `the trace holds the server span of the request: ${trace.map((span) => span.name).join(', ')}`);
  assert.equal(server.parentSpanId, '', 'the request starts the trace');
  assert.equal(server.service, 'veridity-serve');
  assert.equal(server.attributes['http.route'], '/api/v1/verify');
  assert.equal(server.attributes['http.response.status_code'], 200);
  assert.match(String(server.attributes['veridity.request_id']), /^req_/);

  const queries = trace.filter((span) => span.attributes['db.system.name'] === 'postgresql' && typeof span.attributes['db.query.text'] === 'string');
  assert.ok(queries.some((query) => String(query.attributes['db.query.text']).includes('INSERT INTO used_nonces')), 'the nonce claim is in the trace');
  for (const query of queries) assert.ok(descendsFrom(trace, query, server), `${query.name} belongs to the request`);

  const delivery = trace.find((span) => span.name === 'webhook delivery');
  assert.ok(delivery, 'the webhook delivery continues the trace');
  assert.equal(delivery.kind, SPAN_KIND.consumer);
  assert.ok(descendsFrom(trace, delivery, server));
  assert.equal(delivery.attributes['veridity.webhook.event_type'], 'proof.verified');
  assert.equal(delivery.attributes['veridity.webhook.outcome'], 'delivered');
  const post = trace.find((span) => span.spanId === parentOfReceiver);
  assert.ok(post, 'the span named by the traceparent the receiver saw was exported');
  assert.equal(post.kind, SPAN_KIND.client);
  assert.equal(post.parentSpanId, delivery.spanId, "the delivery's POST is a child of the delivery span");
  assert.equal(post.attributes['http.request.method'], 'POST');

  // Statement text only: no value the request sent reaches the exporter (the nonce and the key are query parameters).
  const exported = otlp.rawBodies.join('\n');
  assert.ok(!exported.includes(nonce), 'no query parameter is exported');
  assert.ok(!exported.includes(apiKey), 'no credential is exported');

  // Log lines written inside the request name its trace.
  const logged = served.server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
  assert.ok(logged.some((line) => line.trace_id === traceId && line.span_id === server.spanId), 'a log line carries the trace and span ids of the request');
  assert.ok((await loadedModules(probe)).some(({ url }) => url.includes('/@opentelemetry/sdk-node/')), 'the probe sees the SDK when it is loaded');
});

test('without OTEL_EXPORTER_OTLP_ENDPOINT no SDK, exporter or instrumentation is loaded, webhooks carry no traceparent and logs no trace ids', { timeout: 240_000 }, async () => {
  const { served, probe } = await serve('untraced', {});
  const { proofId } = await verifyOnce(served);
  await waitFor(async () => webhookFor(proofId) !== undefined, 60_000, `the proof.verified webhook\n${served.server.output()}`);
  assert.equal(webhookFor(proofId)!.headers.traceparent, undefined);
  await stop(served);

  // prom-client (/metrics) requires the API package for its exemplars whatever we do; the API is a
  // no-op without an SDK. Nothing else of OpenTelemetry may be loaded, and nothing of ours loads the API.
  const loaded = await loadedModules(probe);
  assert.deepEqual(loaded.filter(({ url }) => !url.includes('/node_modules/@opentelemetry/api/')), [], 'no SDK, exporter or instrumentation was loaded');
  const apiImporters = new Set(loaded.map(({ importer }) => importer).filter((importer) => !importer.includes('/node_modules/@opentelemetry/api/')));
  assert.ok([...apiImporters].every((importer) => importer.includes('/node_modules/prom-client/')), `only prom-client loads the API: ${[...apiImporters].join(', ')}`);
  assert.ok(!served.server.output().includes('"trace_id"'), 'log lines carry no trace ids');
});
