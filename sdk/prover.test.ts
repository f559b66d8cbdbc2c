import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as snarkjs from 'snarkjs';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import type { Credential } from '#modules/zk/credentials/credential-format.ts';
import { parsePublicSignals } from '#modules/zk/credentials/public-signals.ts';
import { computeBinding } from '#modules/zk/credentials/binding.ts';
import { attributes, generateIssuerKey, issueCredential } from '#test/support/holder.ts';
import { freePort } from '#test/support/processes.ts';
import { createPartner, createTestApp, type TestApp } from '#test/support/test-app.ts';
import { createProver, parseProofRequest, releaseSnarkjsWorkers, type ProofRequest, type VerifyBody } from './prover.ts';

let t: TestApp;
let baseUrl: string;
let credential: Credential;
let partner: Record<string, any>;

before(async () => {
  t = await createTestApp({ bundledCircuits: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'SDK Test Registry', public_key: issuer.publicKey, claim_types: [...CLAIM_TYPES] });
  assert.equal(registered.statusCode, 201, registered.body);
  credential = await issueCredential(issuer, attributes({ citizenship: 756n }));
  partner = await createPartner(t, { scopes: [...CLAIM_TYPES] });
});
after(async () => {
  await releaseSnarkjsWorkers();
  await t.close();
});

async function api(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': partner.api_key, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: await response.json() };
}

async function proofRequest(body: Record<string, unknown>): Promise<ProofRequest> {
  const created = await api('POST', '/api/v1/requests', body);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return created.json;
}

/** Records every request the prover makes (it must only ever GET from the platform). */
function recordingFetch() {
  const seen: Array<{ method: string; url: string }> = [];
  const fetchImpl: typeof fetch = (input, init) => {
    seen.push({ method: init?.method ?? 'GET', url: String(input) });
    return fetch(input, init);
  };
  return { seen, fetchImpl };
}

describe('createProver (Node, against a running platform)', () => {
  test('listCircuits: every claim type at 1.0.0 with a SHA-256 per artifact', async () => {
    const listed = await createProver({ baseUrl }).listCircuits();
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.map((c) => c.claim_type).sort(), [...CLAIM_TYPES].sort());
    for (const circuit of listed.value) {
      assert.equal(circuit.semver, '1.0.0');
      for (const kind of ['wasm', 'zkey', 'vkey'] as const) assert.match(circuit.artifacts[kind].sha256 ?? '', /^[0-9a-f]{64}$/);
    }
  });

  test('proves a request the platform created; the body verifies as is; artifacts are fetched once per prover', async () => {
    const { seen, fetchImpl } = recordingFetch();
    const prover = createProver({ baseUrl, fetch: fetchImpl, snarkjs });
    for (const request of [
      await proofRequest({ claim_type: 'citizenship', verifier_domain: 'Bank.Example', params: { country: 756 } }),
      await proofRequest({ claim_type: 'citizenship', verifier_domain: 'bank.example', params: { country: 756 } }),
    ]) {
      const proved = await prover.prove({ credential, request });
      assert.ok(proved.ok, proved.ok ? '' : proved.message);
      const body: VerifyBody = proved.value;
      assert.deepEqual(Object.keys(body).sort(), ['circuit_version', 'claim_type', 'proof', 'public_signals', 'request']);
      assert.deepEqual(body.request, { nonce: request.nonce, verifier_domain: request.verifier_domain, params: { country: 756 } });
      const signals = parsePublicSignals('citizenship', body.public_signals);
      assert.ok(signals.ok);
      assert.equal(signals.value.binding, computeBinding(request.nonce, request.verifier_domain));
      assert.equal(signals.value.param, 756n);
      assert.equal(signals.value.result, 1n);

      const verified = await api('POST', '/api/v1/verify', body);
      assert.equal(verified.status, 200, JSON.stringify(verified.json));
      assert.equal((await api('GET', `/api/v1/status/${verified.json.proof_id}`)).json.status, 'verified');
    }
    assert.ok(seen.every((request) => request.method === 'GET' && request.url.startsWith(baseUrl)));
    const zkeyDownloads = seen.filter((request) => request.url.endsWith('/citizenship/1.0.0/circuit.zkey'));
    assert.equal(zkeyDownloads.length, 1, 'the verified zkey is reused within one prover');
  });

  test('age claims take the fixed threshold; snarkjs defaults to the package when not passed in', async () => {
    const request = await proofRequest({ claim_type: 'age_over_21', verifier_domain: 'shop.example' });
    const proved = await createProver({ baseUrl }).prove({ credential, request, circuitVersion: '1.0.0' });
    assert.ok(proved.ok, proved.ok ? '' : proved.message);
    assert.equal(proved.value.request.params, undefined);
    assert.equal((await api('POST', '/api/v1/verify', proved.value)).status, 200);
  });

  test('an artifact that does not match its published SHA-256 is refused before it is used', async () => {
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/circuit.zkey')) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[bytes.length - 1]! ^= 0x01;
      return new Response(bytes, { status: 200 });
    };
    const request = await proofRequest({ claim_type: 'age_over_18', verifier_domain: 'bank.example' });
    const proved = await createProver({ baseUrl, fetch: tampering, snarkjs }).prove({ credential, request });
    assert.equal(proved.ok ? 'ok' : proved.code, 'ARTIFACT_HASH_MISMATCH');
  });

  test('expected failures are result codes, not exceptions', async () => {
    const prover = createProver({ baseUrl, snarkjs });
    const request = await proofRequest({ claim_type: 'income_gte', verifier_domain: 'bank.example', params: { min_income: 50_000 } });
    const code = async (input: Parameters<typeof prover.prove>[0]) => {
      const result = await prover.prove(input);
      return result.ok ? 'ok' : result.code;
    };
    assert.equal(await code({ credential, request, circuitVersion: '9.9.9' }), 'CIRCUIT_NOT_AVAILABLE');
    assert.equal(await code({ credential: { ...credential, version: 2 } as unknown as Credential, request }), 'CREDENTIAL_MALFORMED');
    assert.equal(await code({ credential, request: { ...request, params: { min_income: 2 ** 70 } } }), 'REQUEST_MALFORMED');
    assert.equal(await code({ credential, request: { ...request, params: {} } }), 'REQUEST_MALFORMED');
    assert.equal(await code({ credential, request: { ...request, claim_type: 'age_over_65' } }), 'UNKNOWN_CLAIM_TYPE');
    assert.equal(await code({ credential, request: { ...request, claim_type: 'age_over_18', params: {} } }), 'ok');
    assert.equal(await code({ credential, request: { ...request, claim_type: 'education', params: { min_level: 256 } } }), 'PARAM_NOT_ACCEPTED');
    // Altered after signing (still in range): no witness exists.
    const altered = { ...credential, attributes: { ...credential.attributes, annual_income: '999999' } };
    assert.equal(await code({ credential: altered, request }), 'WITNESS_FAILED');

    const unreachable = createProver({ baseUrl: `http://127.0.0.1:${await freePort()}`, snarkjs });
    const down = await unreachable.prove({ credential, request });
    assert.equal(down.ok ? 'ok' : down.code, 'PLATFORM_UNAVAILABLE');
  });

  test('a proof for a date other than today is refused by the platform as STALE_DATE', async () => {
    const request = await proofRequest({ claim_type: 'age_over_18', verifier_domain: 'bank.example' });
    const proved = await createProver({ baseUrl, snarkjs }).prove({ credential, request, currentDate: new Date(Date.now() - 5 * 86_400_000) });
    assert.ok(proved.ok);
    const answer = await api('POST', '/api/v1/verify', proved.value);
    assert.equal(answer.json.error_code, 'STALE_DATE');
  });
});

test('parseProofRequest accepts what POST /api/v1/requests returns and refuses what cannot be bound', () => {
  const good = { request_id: 'vrq_x', nonce: 'n'.repeat(43), verifier_domain: 'bank.example', claim_type: 'age_over_18', params: {}, expires_at: '2030-01-01T00:00:00Z' };
  const parsed = parseProofRequest(good);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { claim_type: 'age_over_18', nonce: good.nonce, verifier_domain: 'bank.example', params: {} });
  const code = (value: unknown) => {
    const result = parseProofRequest(value);
    return result.ok ? 'ok' : result.code;
  };
  assert.equal(code([good]), 'REQUEST_MALFORMED');
  assert.equal(code({ ...good, nonce: 'a\u0000b' }), 'REQUEST_MALFORMED');
  assert.equal(code({ ...good, nonce: '' }), 'REQUEST_MALFORMED');
  assert.equal(code({ ...good, verifier_domain: ' . ' }), 'REQUEST_MALFORMED');
  assert.equal(code({ ...good, params: { min_income: -1 } }), 'REQUEST_MALFORMED');
  assert.equal(code({ ...good, claim_type: 'over_9000' }), 'UNKNOWN_CLAIM_TYPE');
});

test('the published SHA-256 is the hash of the bytes the artifact route serves (what the prover checks against)', async () => {
  const listed = await createProver({ baseUrl }).listCircuits();
  assert.ok(listed.ok);
  const vkey = listed.value.find((c) => c.claim_type === 'education')!.artifacts.vkey;
  const bytes = Buffer.from(await (await fetch(`${baseUrl}${vkey.url}`)).arrayBuffer());
  assert.equal(createHash('sha256').update(bytes).digest('hex'), vkey.sha256);
});
