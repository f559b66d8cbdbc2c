/**
 * The client SDK (sdk/client, @veridity/client) against a real `veridity serve` on a real port,
 * as a partner's backend uses it: the operator's client makes an issuer and a partner, the
 * partner's client creates a proof request, verifies a real proof, submits a TEE attestation
 * task (the repository's TDX test vector) and waits for it; the webhooks that arrive and the
 * receipts the ledger issues are then checked offline by the SDK, and tampered copies are refused.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createVeridityClient, verifyReceipt, verifyWebhookSignature, type VeridityClient } from '#client/index.ts';
import { loadTeeSample } from '#src/cli/demo-tee-sample.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { waitFor } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const DOMAIN = 'bank.example';

let scratch: string;
let serve: ServeProcess;
let receiver: Receiver;
let partner: VeridityClient;
let webhookSecret: string;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-sdk-'));
  serve = await startServe(scratch, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  receiver = await startReceiver();
  const operator = createVeridityClient({ baseUrl: serve.baseUrl, adminToken: serve.adminToken });
  const created = await operator.POST('/api/admin/clients', { body: { name: 'SDK partner', scopes: ['age_over_18', 'tee_attestation'], webhook_url: receiver.url } });
  assert.ok(created.data, JSON.stringify(created.error));
  assert.equal(created.response.status, 201);
  webhookSecret = created.data.webhook_secret!;
  partner = createVeridityClient({ baseUrl: serve.baseUrl, apiKey: created.data.api_key });
});
after(async () => {
  await releaseProver();
  await receiver?.close();
  await serve?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** The first webhook of this event for this id, as it arrived (raw body and headers). */
async function webhookFor(event: string, idField: string, id: string) {
  const matches = (body: Buffer) => {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return parsed.event === event && parsed[idField] === id;
  };
  await waitFor(async () => receiver.received.some((hook) => matches(hook.body)), 30_000, `the ${event} webhook for ${id}`);
  return receiver.received.find((hook) => matches(hook.body))!;
}

test('a partner verifies a proof and a TEE task through the SDK; webhooks and receipts check offline', { timeout: 120_000 }, async () => {
  const operator = createVeridityClient({ baseUrl: serve.baseUrl, adminToken: serve.adminToken });
  const issuer = await generateIssuerKey();
  const registered = await operator.POST('/api/admin/issuers', { body: { name: 'SDK issuer', public_key: issuer.publicKey, claim_types: ['age_over_18'] } });
  assert.equal(registered.response.status, 201, JSON.stringify(registered.error));

  // 1. A proof request, a real proof against its nonce, verified.
  const request = await partner.createProofRequest({ claim_type: 'age_over_18', verifier_domain: DOMAIN });
  assert.ok(request.data, JSON.stringify(request.error));
  const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_18', { nonce: request.data.nonce, verifierDomain: DOMAIN, param: 18n });
  const body = { claim_type: 'age_over_18' as const, circuit_version: '1.0.0', proof: holder.proof as unknown as Record<string, unknown>, public_signals: holder.publicSignals, request: { nonce: request.data.nonce, verifier_domain: DOMAIN } };
  const idempotencyKey = randomUUID();
  const verified = await partner.verifyProof(body, { idempotencyKey });
  assert.ok(verified.data, JSON.stringify(verified.error));
  assert.equal(verified.data.status, 'verified');
  const proofId = verified.data.proof_id;

  // The same call again (a retry) is answered from the idempotency store; a new call is a replay of the nonce.
  const retried = await partner.verifyProof(body, { idempotencyKey });
  assert.equal(retried.response.headers.get('idempotent-replayed'), 'true');
  assert.equal(retried.data?.proof_id, proofId);
  const replayed = await partner.verifyProof(body);
  assert.equal(replayed.response.status, 409);
  assert.equal(replayed.error?.error_code, 'NONCE_REPLAY');

  // 2. A TEE attestation task, submitted and waited for.
  const sample = await loadTeeSample();
  assert.ok(sample, 'the TDX test vector is in this checkout');
  const submitted = await partner.submitAttestationTask(sample.body as never);
  assert.ok(submitted.data, JSON.stringify(submitted.error));
  const taskId = submitted.data.id;
  const finished = await partner.waitForTask(taskId, { timeoutMs: 60_000 });
  assert.ok(finished.ok, JSON.stringify(finished));
  assert.equal(finished.task.status, 'completed', JSON.stringify(finished.task));
  assert.equal(finished.task.isValid, true);

  // 3. The webhooks: authentic as sent; a changed body or the wrong secret is refused.
  for (const [event, field, id] of [['proof.verified', 'proof_id', proofId], ['task.completed', 'task_id', taskId]] as const) {
    const hook = await webhookFor(event, field, id);
    const headers = hook.headers as Record<string, string>;
    const checked = await verifyWebhookSignature(hook.body, headers, webhookSecret);
    assert.ok(checked.ok, `${event}: ${JSON.stringify(checked)}`);
    assert.equal((checked.event as Record<string, unknown>)[field], id);
    const tampered = Buffer.from(hook.body.toString('utf8').replace(id, `${id.slice(0, -1)}x`));
    assert.deepEqual(await verifyWebhookSignature(tampered, headers, webhookSecret), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  }

  // 4. The receipts, once the ledger has signed over the outcomes, checked offline with the pinned key.
  const key = await partner.GET('/api/v1/ledger/key', { parseAs: 'text' });
  assert.ok(key.data);
  for (const [id, kind] of [[proofId, 'zk_proof'], [taskId, 'tee_task']] as const) {
    const receipt = await partner.waitForReceipt(id, { timeoutMs: 30_000 });
    assert.ok(receipt.ok, JSON.stringify(receipt));
    const checked = await verifyReceipt(receipt.receipt, key.data, { publicId: id });
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.equal(checked.entry.kind, kind);
    assert.equal(checked.entry.status, 'verified');

    assert.equal((await verifyReceipt(receipt.receipt, key.data, { publicId: id === proofId ? taskId : proofId })).ok, false);
    const lines = receipt.receipt.split('\n');
    const extra = lines.findIndex((line) => line.startsWith('extra '));
    const forged = Buffer.from(lines[extra]!.slice('extra '.length), 'base64').toString('utf8').replace(`"status":"${checked.entry.status}"`, '"status":"rejected"');
    lines[extra] = `extra ${Buffer.from(forged).toString('base64')}`;
    const refused = await verifyReceipt(lines.join('\n'), key.data);
    assert.equal(refused.ok ? 'OK' : refused.code, 'INCLUSION_MISMATCH');
  }
});
