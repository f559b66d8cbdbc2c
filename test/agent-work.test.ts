/**
 * The agent registry's work records, validations, content-addressed work history and feedback
 * (issue 14 parts 3 and 5) end to end through HTTP on a real PostgreSQL: real verified and failed
 * zk proofs, a real dstack attestation task (the captured quote and its event log) worked by the
 * task worker, issued and revoked certificates; the CAR export read back with @ipld/car and every
 * block's CID recomputed; the Kubo pinning adapter against a local HTTP server speaking dag/import.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CarReader } from '@ipld/car';
import * as dagJson from '@ipld/dag-json';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { systemClock } from '#platform/clock.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { createEvidenceVerifier, type EvidenceVerifier } from '#modules/attestations/create-evidence-verifier.ts';
import { createStoredCollateralSource } from '#modules/attestations/create-collateral-source.ts';
import { createTaskFinisher } from '#modules/attestations/finish-task.ts';
import { VerifyAttestationTaskJob } from '#modules/attestations/jobs.ts';
import { runTaskWorkerOnce } from '#modules/attestations/run-task-worker.ts';
import { DEFAULT_ACCEPTED_TCB_STATUSES } from '#modules/attestations/verification/index.ts';
import { OUTDATED_COLLATERAL_VERIFY_AT, readVectorJson, tdReportFieldsAtOffsets } from '#modules/attestations/verification/test-vectors.ts';
import { findWorkRecord } from '#modules/agents/find-work-record.ts';
import { listAgentEvidence } from '#modules/agents/list-agent-evidence.ts';
import { kuboPinner } from '#modules/agents/work-history-pinner.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

type Capture = { quote: string; event_log: string; report_data: string; vm_config: string };
type RawEvent = { imr: number; event: string; event_payload: string };
const capture = readVectorJson<Capture>('dstack-quote-report.json');
const capturePayload = (name: string): string => (JSON.parse(capture.event_log) as RawEvent[]).find((event) => event.imr === 3 && event.event === name)!.event_payload;
const captureTd = tdReportFieldsAtOffsets(Buffer.from(capture.quote, 'hex'));
const captureImage = (JSON.parse(capture.vm_config) as { os_image_hash: string }).os_image_hash;
const DOMAIN = 'bank.example';
const CONTROLLER = 'did:pkh:eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a';

let t: TestApp;
let queue: Queue;
let evidenceVerifier: EvidenceVerifier;
let owner: Record<string, any>;
let other: Record<string, any>;
let client: Record<string, any>;
let verifiedProof: string;
let failedProof: string;
let otherProof: string;

const call = (apiKey: string | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  t.app.inject({ method, url, headers: apiKey ? { 'x-api-key': apiKey } : {}, ...(body === undefined ? {} : { payload: body as object }) });

async function registerAgent(apiKey: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await call(apiKey, 'POST', '/api/v1/agents', { name: `Worker ${randomBytes(3).toString('hex')}`, capabilities: ['nlp.summarization'], controller: CONTROLLER, ...overrides });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

const work = (apiKey: string, agentId: string, body: Record<string, unknown>) => call(apiKey, 'POST', `/api/v1/agents/${agentId}/work`, body);

/** A proof verified through POST /api/v1/verify for `partner`, or failed: with `foreignPiA` (another proof's valid point) in place of its own. */
async function verifyProof(partner: Record<string, any>, credential: Awaited<ReturnType<typeof issueCredential>>, foreignPiA?: string[]): Promise<{ id: string; piA: string[] }> {
  const nonce = randomBytes(24).toString('base64url');
  const holder = await prove(credential, 'age_over_18', { nonce, verifierDomain: DOMAIN, param: 18n });
  const tamper = foreignPiA !== undefined;
  const proof = tamper ? { ...holder.proof, pi_a: foreignPiA } : holder.proof;
  const response = await call(partner.api_key, 'POST', '/api/v1/verify', {
    claim_type: 'age_over_18', circuit_version: '1.0.0', proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: DOMAIN },
  });
  const body = response.json();
  assert.match(body.proof_id, /^prf_/, response.body);
  assert.equal(body.status, tamper ? 'failed' : 'verified', response.body);
  return { id: body.proof_id, piA: holder.proof.pi_a };
}

/** A dstack task of the captured quote, finished by one worker pass. */
async function teeTask(partner: Record<string, any>): Promise<string> {
  const submitted = await call(partner.api_key, 'POST', '/api/v1/tasks', {
    appId: capturePayload('app-id'), appName: 'Agent app', appConfigType: 'phala_cloud',
    evidence: { quote: capture.quote, eventLog: capture.event_log, reportData: capture.report_data, vmConfig: capture.vm_config,
      collateral: readVectorJson('tdx_quote_outdated_collateral.json'), verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), expectedComposeHash: capturePayload('compose-hash') },
  });
  assert.equal(submitted.statusCode, 202, submitted.body);
  await runTaskWorkerOnce({
    pool: t.database.pool, db: t.database.db, clock: systemClock, log: createLogger('silent'), storage: t.storage, platformKeys: t.platformKeys, queue,
    collateralSource: createStoredCollateralSource({ pool: t.database.pool, clock: systemClock, log: createLogger('silent') }),
    verifier: evidenceVerifier, finisher: createTaskFinisher({ pool: t.database.pool, queue }), acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  });
  const done = (await call(partner.api_key, 'GET', `/api/v1/tasks/${submitted.json().id}`)).json();
  assert.equal(done.status, 'completed', done.errorMessage);
  assert.equal(done.isValid, true, done.result?.reason);
  return done.id;
}

before(async () => {
  t = await createTestApp({ bundledCircuits: true });
  queue = await startQueue({ connectionString: t.database.url, log: createLogger('silent'), schedule: false });
  await queue.register([VerifyAttestationTaskJob]);
  evidenceVerifier = createEvidenceVerifier({ size: 1 });
  const issuer = await generateIssuerKey();
  assert.equal((await t.admin('POST', '/api/admin/issuers', { name: 'Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] })).statusCode, 201);
  const { mr_td, rt_mr0, rt_mr1, rt_mr2 } = captureTd;
  const image = await t.app.inject({ method: 'PUT', url: `/api/admin/attestations/os-images/${captureImage}`, headers: { authorization: `Bearer ${t.adminToken}` }, payload: { label: 'capture', mr_td, rt_mr0, rt_mr1, rt_mr2 } });
  assert.equal(image.statusCode, 200, image.body);
  const scopes = ['agents', 'age_over_18', 'tee_attestation', 'evidence'];
  owner = await createPartner(t, { name: 'Agent owner', scopes });
  other = await createPartner(t, { name: 'Other owner', scopes });
  client = await createPartner(t, { name: 'Agent client', scopes: ['agents'] });
  const credential = await issueCredential(issuer, attributes());
  const verified = await verifyProof(owner, credential);
  verifiedProof = verified.id;
  failedProof = (await verifyProof(owner, credential, verified.piA)).id;
  otherProof = (await verifyProof(other, credential)).id;
});

after(async () => {
  await releaseProver();
  await evidenceVerifier.close();
  await queue.stop({ graceful: false });
  await t.close();
});

describe('work records', () => {
  test('a verified proof of the owner: a record with Veridity\'s validation; the same proof again: EVIDENCE_USED', async () => {
    const agent = await registerAgent(owner.api_key);
    const recorded = await work(owner.api_key, agent, { evidence_id: verifiedProof, capability: 'nlp.summarization', summary: 'Summarised contract 42',
      validations: [{ validator: 'did:pkh:eip155:1:0x00000000000000000000000000000000000000aa', response: 80, tag: 'accuracy', evidence: 'https://validator.example/r/1' }] });
    assert.equal(recorded.statusCode, 201, recorded.body);
    const body = recorded.json();
    assert.match(body.id, /^wrk_/);
    assert.equal(body.seq, 1);
    assert.equal(body.prev_cid, null);
    assert.deepEqual(body.evidence.kind, 'zk_proof');
    assert.equal(body.evidence.ledger_id, verifiedProof);
    assert.deepEqual(body.validations.map((v: any) => [v.validator, v.response, v.tag, v.verified]), [
      ['veridity', 100, 'zk-proof', true],
      ['did:pkh:eip155:1:0x00000000000000000000000000000000000000aa', 80, 'accuracy', false],
    ]);
    const again = await work(owner.api_key, agent, { evidence_id: verifiedProof });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().error_code, 'EVIDENCE_USED');
    const found = await findWorkRecord(t.database, client.id, body.id);
    assert.equal(found?.agentId, agent);
    assert.equal(found?.clientId, owner.id);
  });

  test('a failed proof, another partner\'s proof, an unknown id, another partner\'s agent: refused', async () => {
    const agent = await registerAgent(owner.api_key);
    const failed = await work(owner.api_key, agent, { evidence_id: failedProof });
    assert.equal(failed.statusCode, 422, failed.body);
    assert.deepEqual([failed.json().error_code, failed.json().reason], ['EVIDENCE_NOT_VERIFIED', 'FAILED']);
    const foreign = await work(owner.api_key, agent, { evidence_id: otherProof });
    assert.equal(foreign.statusCode, 422, foreign.body);
    assert.equal(foreign.json().error_code, 'EVIDENCE_UNKNOWN');
    const notMine = await work(other.api_key, agent, { evidence_id: otherProof });
    assert.equal(notMine.statusCode, 404, notMine.body);
    const badCapability = await work(owner.api_key, agent, { evidence_id: otherProof, capability: 'audit.smart-contract' });
    assert.equal(badCapability.statusCode, 400, badCapability.body);
    assert.equal((await call(undefined, 'GET', `/api/v1/agents/${agent}/work`)).json().data.length, 0);
  });

  test('a certificate: recorded under its public id; a revoked one: EVIDENCE_REVOKED', async () => {
    const agent = await registerAgent(owner.api_key);
    const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
    const recorded = await work(owner.api_key, agent, { evidence_id: certificate.certificateId });
    assert.equal(recorded.statusCode, 201, recorded.body);
    assert.equal(recorded.json().evidence.ledger_kind, 'certificate');
    assert.notEqual(recorded.json().evidence.ledger_id, certificate.certificateId, 'the public id, not the partner\'s crt_ id');
    assert.doesNotMatch(JSON.stringify(recorded.json()), /crt_/);
    const revokedCertificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
    const revoked = await call(owner.api_key, 'POST', `/api/v1/certificates/${revokedCertificate.certificateId}/revoke`, { reason: 'issued in error' });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const refused = await work(owner.api_key, agent, { evidence_id: revokedCertificate.certificateId });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(refused.json().error_code, 'EVIDENCE_REVOKED');
  });

  test('a dstack task: refused without a declared app or with another app id; recorded when the agent declares the attested app and compose hash', async () => {
    const task = await teeTask(owner);
    const undeclared = await registerAgent(owner.api_key);
    const none = await work(owner.api_key, undeclared, { evidence_id: task });
    assert.deepEqual([none.statusCode, none.json().error_code, none.json().reason], [422, 'TEE_APP_MISMATCH', 'NO_TEE_DECLARED']);
    const elsewhere = await registerAgent(owner.api_key, { tee: { app_id: 'ab'.repeat(20) } });
    const wrong = await work(owner.api_key, elsewhere, { evidence_id: task });
    assert.deepEqual([wrong.statusCode, wrong.json().error_code, wrong.json().reason], [422, 'TEE_APP_MISMATCH', 'APP_ID']);
    const otherVersion = await registerAgent(owner.api_key, { tee: { app_id: capturePayload('app-id'), compose_hash: '00'.repeat(32) } });
    const version = await work(owner.api_key, otherVersion, { evidence_id: task });
    assert.deepEqual([version.json().error_code, version.json().reason], ['TEE_APP_MISMATCH', 'COMPOSE_HASH']);
    const declared = await registerAgent(owner.api_key, { tee: { app_id: `0x${capturePayload('app-id').toUpperCase()}`, compose_hash: capturePayload('compose-hash') } });
    const recorded = await work(owner.api_key, declared, { evidence_id: task });
    assert.equal(recorded.statusCode, 201, recorded.body);
    assert.deepEqual(recorded.json().validations.map((v: any) => v.tag), ['tee-attestation']);
  });

  test('the CAR export: root = head, every block\'s CID recomputed, each links the previous; records at once do not fork the chain', async () => {
    const agent = await registerAgent(owner.api_key);
    const certificates = await Promise.all(Array.from({ length: 6 }, () => issueTestCertificate(t, systemClock, erasureReportInput(owner.id))));
    const responses = await Promise.all(certificates.map((certificate) => work(owner.api_key, agent, { evidence_id: certificate.certificateId })));
    for (const response of responses) assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(responses.map((response) => response.json().seq).sort(), [1, 2, 3, 4, 5, 6]);

    const exported = await call(undefined, 'GET', `/api/v1/agents/${agent}/work-history.car`);
    assert.equal(exported.statusCode, 200, exported.body);
    assert.match(String(exported.headers['content-type']), /^application\/vnd\.ipld\.car/);
    const reader = await CarReader.fromBytes(exported.rawPayload);
    const [root] = await reader.getRoots();
    assert.equal(root!.toString(), exported.headers['x-work-history-head']);
    const blocks = new Map<string, Record<string, any>>();
    for await (const block of reader.blocks()) {
      const recomputed = CID.create(1, dagJson.code, await sha256.digest(block.bytes));
      assert.ok(recomputed.equals(block.cid), `${block.cid} is the hash of its bytes`);
      blocks.set(block.cid.toString(), dagJson.decode(block.bytes));
    }
    assert.equal(blocks.size, 6);
    // Walk from the root through `prev`: every record once, seq 6 down to 1.
    let cursor: CID | null = root!;
    const seqs: number[] = [];
    while (cursor) {
      const record: Record<string, any> = blocks.get(cursor.toString())!;
      assert.ok(record, `block ${cursor} is in the CAR`);
      assert.equal(record.agent, agent);
      seqs.push(record.seq);
      cursor = record.prev;
    }
    assert.deepEqual(seqs, [6, 5, 4, 3, 2, 1]);
    const listed = (await call(undefined, 'GET', `/api/v1/agents/${agent}/work?limit=4`)).json();
    assert.equal(listed.head_cid, root!.toString());
    assert.deepEqual(listed.data.map((record: any) => record.seq), [6, 5, 4, 3]);
    const rest = (await call(undefined, 'GET', `/api/v1/agents/${agent}/work?limit=4&cursor=${listed.next_cursor}`)).json();
    assert.deepEqual(rest.data.map((record: any) => record.seq), [2, 1]);
    assert.equal(rest.next_cursor, null);

    // The Kubo adapter against a server speaking /api/v0/dag/import: it reads the CAR it receives.
    const received: string[] = [];
    const server = http.createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      assert.equal(request.url, '/api/v0/dag/import?pin-roots=true');
      const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
      const car = await CarReader.fromBytes(new Uint8Array(await (form.get('file') as Blob).arrayBuffer()));
      const [carRoot] = await car.getRoots();
      for await (const block of car.blocks()) received.push(block.cid.toString());
      response.end(`${JSON.stringify({ Root: { Cid: { '/': carRoot!.toString() }, PinErrorMsg: '' } })}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await kuboPinner(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).pin(Buffer.from(exported.rawPayload), root!.toString());
    } finally {
      server.close();
    }
    assert.deepEqual(received.sort(), [...blocks.keys()].sort());
  });
});

describe('feedback', () => {
  test('one per (client, work); revoke and give again; the owner responds once; public list', async () => {
    const agent = await registerAgent(owner.api_key);
    const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
    const recorded = (await work(owner.api_key, agent, { evidence_id: certificate.certificateId })).json();
    const given = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 90, tags: ['fast'], comment: 'Accurate', work_id: recorded.id });
    assert.equal(given.statusCode, 201, given.body);
    assert.deepEqual([given.json().strength, given.json().self], ['verified_work', false]);
    const twice = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 10, work_id: recorded.id });
    assert.deepEqual([twice.statusCode, twice.json().error_code], [409, 'CONFLICT']);
    const bare = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 70 });
    assert.equal(bare.json().strength, 'bare');
    assert.equal((await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 70 })).statusCode, 409);
    const notTheirs = await call(other.api_key, 'DELETE', `/api/v1/agents/${agent}/feedback/${given.json().id}`);
    assert.equal(notTheirs.statusCode, 404);
    const revoked = await call(client.api_key, 'DELETE', `/api/v1/agents/${agent}/feedback/${given.json().id}`);
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.ok(revoked.json().revoked_at);
    const again = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 60, work_id: recorded.id });
    assert.equal(again.statusCode, 201, again.body);
    const notOwner = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback/${again.json().id}/response`, { response: 'Thanks' });
    assert.equal(notOwner.statusCode, 404);
    const answered = await call(owner.api_key, 'POST', `/api/v1/agents/${agent}/feedback/${again.json().id}/response`, { response: 'Thank you' });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.equal(answered.json().response, 'Thank you');
    assert.equal((await call(owner.api_key, 'POST', `/api/v1/agents/${agent}/feedback/${again.json().id}/response`, { response: 'Again' })).statusCode, 409);
    const listed = (await call(undefined, 'GET', `/api/v1/agents/${agent}/feedback`)).json();
    assert.deepEqual(listed.data.map((feedback: any) => feedback.score), [60, 70], 'revoked feedback is not listed');
    assert.doesNotMatch(JSON.stringify(listed), /cli_/);
    const evidence = await listAgentEvidence(t.database, agent);
    assert.equal(evidence.work.length, 1);
    assert.deepEqual(evidence.feedback.map((feedback) => [feedback.score, feedback.revokedAt !== null]), [[90, true], [70, false], [60, false]]);
  });

  test('self-feedback is recorded and flagged: the owner, and a partner with an agent of the same controller', async () => {
    const agent = await registerAgent(owner.api_key);
    const own = await call(owner.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 100 });
    assert.deepEqual([own.statusCode, own.json().self], [201, true]);
    const sibling = await createPartner(t, { name: 'Same controller', scopes: ['agents'] });
    await registerAgent(sibling.api_key);
    const related = await call(sibling.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 100 });
    assert.deepEqual([related.statusCode, related.json().self], [201, true]);
  });

  test('a settlement id: well formed, and one of the author\'s settlements paying this agent; work of another agent: 400', async () => {
    const agent = await registerAgent(owner.api_key);
    const malformed = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 50, settlement_id: 'settlement-1' });
    assert.equal(malformed.statusCode, 400);
    const unknown = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 50, settlement_id: `stl_${'0'.repeat(26)}` });
    assert.deepEqual([unknown.statusCode, unknown.json().error_code], [422, 'SETTLEMENT_UNKNOWN']);
    const elsewhere = await registerAgent(owner.api_key);
    const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(owner.id));
    const foreignWork = (await work(owner.api_key, elsewhere, { evidence_id: certificate.certificateId })).json();
    const mismatched = await call(client.api_key, 'POST', `/api/v1/agents/${agent}/feedback`, { score: 50, work_id: foreignWork.id });
    assert.equal(mismatched.statusCode, 400, mismatched.body);
  });
});
