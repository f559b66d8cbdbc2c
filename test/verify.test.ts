import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CLAIM_TYPES, type ClaimType } from '#modules/zk/credentials/claim-types.ts';
import type { Credential } from '#modules/zk/credentials/credential-format.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver, rerandomised, type HolderProof, type IssuerKey } from './support/holder.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { partnerUsageTotal, usageEventsOf } from './support/usage.ts';

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const DOMAIN = 'bank.example';
const PARAM_FOR: Record<ClaimType, { param: bigint; params?: Record<string, number> }> = {
  age_over_18: { param: 18n },
  age_over_21: { param: 21n },
  citizenship: { param: 756n, params: { country: 756 } },
  education: { param: 4n, params: { min_level: 4 } },
  income_gte: { param: 50_000n, params: { min_income: 50_000 } },
};

let now = new Date();
const clock = { now: () => now };
let t: TestApp;
let issuer: IssuerKey;
let credential: Credential;
let partner: Record<string, any>;

before(async () => {
  t = await createTestApp({ clock, bundledCircuits: true });
  issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Test Registry', public_key: issuer.publicKey, claim_types: [...CLAIM_TYPES] });
  assert.equal(registered.statusCode, 201, registered.body);
  credential = await issueCredential(issuer, attributes());
  partner = await createPartner(t, { scopes: [...CLAIM_TYPES], webhook_url: 'https://bank.example/hooks' });
});
after(async () => {
  await releaseProver();
  await t.close();
});

const nonce = () => randomBytes(24).toString('base64url');

function verify(body: unknown, options: { apiKey?: string; idempotencyKey?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/verify',
    headers: { 'x-api-key': options.apiKey ?? partner.api_key, ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
    payload: body as object,
  });
}

function body(claimType: ClaimType, holder: HolderProof, request: { nonce: string; verifier_domain?: string; params?: Record<string, number> }) {
  return {
    claim_type: claimType,
    circuit_version: '1.0.0',
    proof: holder.proof,
    public_signals: holder.publicSignals,
    request: { verifier_domain: DOMAIN, ...(PARAM_FOR[claimType].params ? { params: PARAM_FOR[claimType].params } : {}), ...request },
  };
}

async function proofFor(claimType: ClaimType, n: string, overrides: { domain?: string; credential?: Credential; param?: bigint; currentDate?: number } = {}) {
  return prove(overrides.credential ?? credential, claimType, { nonce: n, verifierDomain: overrides.domain ?? DOMAIN, param: overrides.param ?? PARAM_FOR[claimType].param, ...(overrides.currentDate ? { currentDate: overrides.currentDate } : {}) });
}

describe('POST /api/v1/verify', () => {
  for (const claimType of CLAIM_TYPES) {
    test(`happy path: ${claimType}`, async () => {
      const n = nonce();
      const response = await verify(body(claimType, await proofFor(claimType, n), { nonce: n }));
      assert.equal(response.statusCode, 200, response.body);
      const result = response.json();
      assert.equal(result.status, 'verified');
      assert.match(result.proof_id, /^prf_/);
      const status = await t.app.inject({ method: 'GET', url: `/api/v1/status/${result.proof_id}`, headers: { 'x-api-key': partner.api_key } });
      assert.equal(status.statusCode, 200);
      assert.equal(status.json().status, 'verified');
      assert.equal(status.json().claim_type, claimType);
    });
  }

  test('one transaction wrote the proof row (a hash, never the signals), an audit row, a usage row and the webhook outbox row', async () => {
    const n = nonce();
    const holder = await proofFor('age_over_18', n);
    const proofId = (await verify(body('age_over_18', holder, { nonce: n }))).json().proof_id;
    const pool = t.database.pool;
    const proofRow = (await pool.query('SELECT * FROM proofs WHERE id = $1', [proofId])).rows[0];
    assert.equal(proofRow.status, 'verified');
    assert.equal(proofRow.public_hash.length, 32);
    assert.equal(JSON.stringify(proofRow).includes(holder.publicSignals[6]!), false, 'signals not stored');
    assert.equal((await pool.query(`SELECT 1 FROM audit_logs WHERE target_id = $1 AND action = 'proof.verified'`, [proofId])).rowCount, 1);
    const events = await usageEventsOf(pool, partner.id, 'zk_verification');
    const usage = events.filter((event) => event.event_id.endsWith(proofId));
    assert.deepEqual(usage, [{ event_id: `zk_verification:${proofId}`, source: '/zk', client_id: partner.id, outcome: 'verified', quantity: 1 }]);
    assert.equal(await partnerUsageTotal(t.app, partner.api_key, 'zk_verification'), events.length, 'GET /api/v1/usage counts every event');
    const subject = await pool.query(`SELECT subject_id, claim_type FROM usage_events WHERE event_id = $1`, [`zk_verification:${proofId}`]);
    assert.deepEqual(subject.rows, [{ subject_id: proofId, claim_type: 'age_over_18' }]);
    const outbox = (await pool.query(`SELECT event_type, payload FROM webhooks_outbox WHERE subject_id = $1`, [proofId])).rows;
    assert.deepEqual(outbox.map((r) => r.event_type), ['proof.verified']);
    assert.deepEqual(Object.keys(outbox[0].payload).sort(), ['claim_type', 'event', 'proof_id', 'status', 'ts']);
    assert.equal(t.logs().includes(holder.publicSignals[6]!), false, 'signals not logged');
  });

  test('replay: the same nonce again is 409 NONCE_REPLAY, also as a re-randomised proof and in another spelling', async () => {
    const n = nonce();
    const holder = await proofFor('age_over_18', n);
    assert.equal((await verify(body('age_over_18', holder, { nonce: n }))).statusCode, 200);
    const again = await verify(body('age_over_18', holder, { nonce: n }));
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error_code, 'NONCE_REPLAY');
    const fresh = { ...holder, proof: await rerandomised('age_over_18', holder) };
    assert.notDeepEqual(fresh.proof.pi_a, holder.proof.pi_a);
    const replayed = await verify(body('age_over_18', fresh, { nonce: n }));
    assert.equal(replayed.statusCode, 409);
  });

  test('concurrent uses of one nonce: exactly one verifies, the others are NONCE_REPLAY, one proof row', async () => {
    const n = nonce();
    const payload = body('age_over_18', await proofFor('age_over_18', n), { nonce: n });
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(payload)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.statusCode === 409)) assert.equal(answer.json().error_code, 'NONCE_REPLAY');
    const rows = await t.database.pool.query('SELECT id FROM proofs WHERE request_nonce = (SELECT nonce FROM used_nonces WHERE proof_id = $1)', [answers.find((a) => a.statusCode === 200)!.json().proof_id]);
    assert.equal(rows.rowCount, 1);
  });

  test('replay with a hex nonce spelled in another case or with leading zeros is caught', async () => {
    const hex = '0x' + randomBytes(16).toString('hex');
    assert.equal((await verify(body('age_over_18', await proofFor('age_over_18', hex), { nonce: hex }))).statusCode, 200);
    const other = '0x00' + hex.slice(2).toUpperCase();
    const response = await verify(body('age_over_18', await proofFor('age_over_18', other), { nonce: other }));
    assert.equal(response.statusCode, 409);
  });

  test('replay with a plain hex nonce (no 0x) in another case, with leading zeros or with 0x is caught', async () => {
    const hex = randomBytes(16).toString('hex').toUpperCase();
    assert.equal((await verify(body('age_over_18', await proofFor('age_over_18', hex), { nonce: hex }))).statusCode, 200);
    for (const other of [hex.toLowerCase(), `00${hex}`, `0x${hex.toLowerCase()}`]) {
      const response = await verify(body('age_over_18', await proofFor('age_over_18', other), { nonce: other }));
      assert.equal(response.statusCode, 409, `${other}: ${response.body}`);
      assert.equal(response.json().error_code, 'NONCE_REPLAY');
    }
  });

  test('bad scope: a key without the claim scope is 403 UNAUTHORIZED_SCOPE', async () => {
    const narrow = await createPartner(t, { scopes: ['citizenship'] });
    const n = nonce();
    const response = await verify(body('age_over_18', await proofFor('age_over_18', n), { nonce: n }), { apiKey: narrow.api_key });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().error_code, 'UNAUTHORIZED_SCOPE');
  });

  test('idempotency: same key and body -> identical response; failures too; other body -> 422', async () => {
    const n = nonce();
    const payload = body('age_over_18', await proofFor('age_over_18', n), { nonce: n });
    const key = randomUUID();
    const first = await verify(payload, { idempotencyKey: key });
    const second = await verify(payload, { idempotencyKey: key });
    assert.equal(first.statusCode, 200);
    assert.equal(second.statusCode, 200);
    assert.equal(second.body, first.body);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const reused = await verify({ ...payload, circuit_version: '9.9.9' }, { idempotencyKey: key });
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json().error_code, 'IDEMPOTENCY_KEY_REUSED');

    const failingKey = randomUUID();
    const failing = await verify(payload, { idempotencyKey: failingKey }); // nonce used: 409
    const failingAgain = await verify(payload, { idempotencyKey: failingKey });
    assert.equal(failing.statusCode, 409);
    assert.equal(failingAgain.statusCode, 409);
    assert.equal(failingAgain.body, failing.body);
  });

  test('invalid proof: a tampered proof is 422 INVALID_PROOF carrying proof_id', async () => {
    const n = nonce();
    const holder = await proofFor('age_over_18', n);
    const other = await proofFor('age_over_18', nonce());
    const tampered = { ...holder, proof: { ...holder.proof, pi_a: other.proof.pi_a } };
    const response = await verify(body('age_over_18', tampered, { nonce: n }));
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error_code, 'INVALID_PROOF');
    assert.match(response.json().proof_id, /^prf_/);
    const status = await t.app.inject({ method: 'GET', url: `/api/v1/status/${response.json().proof_id}`, headers: { 'x-api-key': partner.api_key } });
    assert.equal(status.json().status, 'failed');
  });

  test('tampered public signals are INVALID_PROOF; a signal plus the field order is refused as malformed', async () => {
    const n = nonce();
    const holder = await proofFor('income_gte', n);
    const lowered = { ...holder, publicSignals: holder.publicSignals.map((s, i) => (i === 5 ? '40000' : s)) };
    const tampered = await verify(body('income_gte', lowered, { nonce: n, params: { min_income: 40_000 } }));
    assert.equal(tampered.json().error_code, 'INVALID_PROOF');
    const wrapped = { ...holder, publicSignals: holder.publicSignals.map((s, i) => (i === 6 ? (BigInt(s) + R).toString() : s)) };
    const response = await verify(body('income_gte', wrapped, { nonce: nonce() }));
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error_code, 'MALFORMED_PROOF');
    for (const bad of [['1', '2'], holder.publicSignals.map((s, i) => (i === 0 ? '01' : s)), holder.publicSignals.map((s, i) => (i === 0 ? '0x1' : s))]) {
      const malformed = await verify(body('income_gte', { ...holder, publicSignals: bad }, { nonce: nonce() }));
      assert.equal(malformed.json().error_code, 'MALFORMED_PROOF', JSON.stringify(bad).slice(0, 40));
    }
    const pointOff = await verify(body('income_gte', { ...holder, proof: { ...holder.proof, pi_a: ['1', '3', '1'] } }, { nonce: nonce() }));
    assert.equal(pointOff.json().error_code, 'MALFORMED_PROOF');
    assert.equal(pointOff.json().detail, 'POINT_NOT_ON_CURVE');
  });

  test('a proof made for domain A presented for domain B is BINDING_MISMATCH', async () => {
    const n = nonce();
    const response = await verify(body('age_over_18', await proofFor('age_over_18', n, { domain: 'evil.example' }), { nonce: n }));
    assert.equal(response.statusCode, 422);
    assert.equal(response.json().error_code, 'BINDING_MISMATCH');
  });

  test('expired credential -> CREDENTIAL_EXPIRED; untrusted issuer -> UNTRUSTED_ISSUER; ineligible -> NOT_ELIGIBLE', async () => {
    const expired = await issueCredential(issuer, attributes({ expiry_date: 20200101n }));
    let n = nonce();
    assert.equal((await verify(body('age_over_18', await proofFor('age_over_18', n, { credential: expired }), { nonce: n }))).json().error_code, 'CREDENTIAL_EXPIRED');
    const stranger = await issueCredential(await generateIssuerKey(), attributes());
    n = nonce();
    assert.equal((await verify(body('age_over_18', await proofFor('age_over_18', n, { credential: stranger }), { nonce: n }))).json().error_code, 'UNTRUSTED_ISSUER');
    const minor = await issueCredential(issuer, attributes({ birth_date: BigInt(now.getUTCFullYear() - 10) * 10000n + 101n }));
    n = nonce();
    assert.equal((await verify(body('age_over_18', await proofFor('age_over_18', n, { credential: minor }), { nonce: n }))).json().error_code, 'NOT_ELIGIBLE');
  });

  test('wrong threshold: a proof for another parameter than the one asked is PARAMS_MISMATCH', async () => {
    const n = nonce();
    const holder = await proofFor('income_gte', n, { param: 10_000n });
    const response = await verify(body('income_gte', holder, { nonce: n, params: { min_income: 50_000 } }));
    assert.equal(response.json().error_code, 'PARAMS_MISMATCH');
    const missing = await verify(body('citizenship', holder, { nonce: nonce(), params: {} }));
    assert.equal(missing.json().error_code, 'INVALID_PARAMS');
  });

  test('a proof dated two days ago is STALE_DATE', async () => {
    const n = nonce();
    const twoDaysAgo = new Date(now.getTime() - 2 * 86_400_000);
    const date = twoDaysAgo.getUTCFullYear() * 10000 + (twoDaysAgo.getUTCMonth() + 1) * 100 + twoDaysAgo.getUTCDate();
    const response = await verify(body('age_over_18', await proofFor('age_over_18', n, { currentDate: date }), { nonce: n }));
    assert.equal(response.json().error_code, 'STALE_DATE');
  });

  test('unknown or disabled circuit version is 422 UNKNOWN_CIRCUIT and does not consume the nonce', async () => {
    const n = nonce();
    const holder = await proofFor('age_over_18', n);
    const unknown = await verify({ ...body('age_over_18', holder, { nonce: n }), circuit_version: '2.0.0' });
    assert.equal(unknown.json().error_code, 'UNKNOWN_CIRCUIT');
    const circuits = (await t.admin('GET', '/api/admin/circuits')).json() as Array<{ id: string; claim_type: string }>;
    const age = circuits.find((c) => c.claim_type === 'age_over_18')!;
    await t.admin('PATCH', `/api/admin/circuits/${age.id}`, { enabled: false });
    assert.equal((await verify(body('age_over_18', holder, { nonce: n }))).json().error_code, 'UNKNOWN_CIRCUIT');
    await t.admin('PATCH', `/api/admin/circuits/${age.id}`, { enabled: true });
    assert.equal((await verify(body('age_over_18', holder, { nonce: n }))).statusCode, 200, 'the nonce was still unused');
  });

  test('schema: unknown fields, bad semver and missing fields are 400 naming the field', async () => {
    const response = await verify({ claim_type: 'age_over_18', circuit_version: '1.0', proof: {}, public_signals: [], request: { nonce: 'short' }, extra: 1 });
    assert.equal(response.statusCode, 400);
    const fields = response.json().fields as string[];
    for (const field of ['body.circuit_version', 'body.public_signals', 'body.request.nonce', 'body.request.verifier_domain', 'body.extra']) assert.ok(fields.includes(field), field);
  });
});

describe('proof requests and status', () => {
  test('a request created by the partner binds claim, domain and params; its nonce verifies once', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { 'x-api-key': partner.api_key }, payload: { claim_type: 'citizenship', verifier_domain: 'Shop.Example', params: { country: 756 } } });
    assert.equal(created.statusCode, 201, created.body);
    const request = created.json();
    assert.match(request.request_id, /^vrq_/);
    assert.ok(Buffer.from(request.nonce, 'base64url').length >= 16);
    assert.equal(request.verifier_domain, 'shop.example');
    const holder = await prove(credential, 'citizenship', { nonce: request.nonce, verifierDomain: request.verifier_domain, param: 756n });
    const ok = await verify({ claim_type: 'citizenship', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce: request.nonce, verifier_domain: 'shop.example' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const mismatch = await t.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { 'x-api-key': partner.api_key }, payload: { claim_type: 'citizenship', verifier_domain: 'shop.example' } });
    assert.equal(mismatch.json().error_code, 'INVALID_PARAMS');
  });

  test("another partner presenting a proof request's nonce is refused with REQUEST_MISMATCH; the owner still verifies it", async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { 'x-api-key': partner.api_key }, payload: { claim_type: 'age_over_18', verifier_domain: DOMAIN } })).json();
    const holder = await prove(credential, 'age_over_18', { nonce: created.nonce, verifierDomain: DOMAIN, param: 18n });
    const other = await createPartner(t, { name: 'Other bank', scopes: ['age_over_18'] });
    const taken = await verify(body('age_over_18', holder, { nonce: created.nonce }), { apiKey: other.api_key });
    assert.equal(taken.statusCode, 422, taken.body);
    assert.equal(taken.json().error_code, 'REQUEST_MISMATCH');
    assert.equal(taken.body.includes(partner.id), false, 'the owner is not named');
    const owned = await verify(body('age_over_18', holder, { nonce: created.nonce }));
    assert.equal(owned.statusCode, 200, owned.body);
  });

  test('an expired request is refused with REQUEST_EXPIRED', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { 'x-api-key': partner.api_key }, payload: { claim_type: 'age_over_18', verifier_domain: DOMAIN, ttl_seconds: 60 } })).json();
    const holder = await prove(credential, 'age_over_18', { nonce: created.nonce, verifierDomain: DOMAIN, param: 18n });
    const saved = now;
    now = new Date(now.getTime() + 61_000);
    try {
      const response = await verify(body('age_over_18', holder, { nonce: created.nonce }));
      assert.equal(response.json().error_code, 'REQUEST_EXPIRED');
    } finally {
      now = saved;
    }
  });

  test('status is visible to the owning partner only', async () => {
    const n = nonce();
    const proofId = (await verify(body('age_over_18', await proofFor('age_over_18', n), { nonce: n }))).json().proof_id;
    const stranger = await createPartner(t, { scopes: ['age_over_18'] });
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/status/${proofId}`, headers: { 'x-api-key': stranger.api_key } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error_code, 'NOT_FOUND');
  });
});

describe('usage', () => {
  test('GET /api/admin/usage counts verified and failed verifications per day, filterable', async () => {
    const today = now.toISOString().slice(0, 10);
    const all = await t.admin('GET', '/api/admin/usage');
    assert.equal(all.statusCode, 200);
    const row = (all.json().series as Array<{ date: string; verified: number; failed: number }>).find((r) => r.date === today)!;
    assert.ok(row.verified >= 5 && row.failed >= 1, JSON.stringify(row));
    const mine = await t.admin('GET', `/api/admin/usage?verifier_id=${partner.id}&claim_type=citizenship`);
    assert.ok(mine.json().series[0].verified >= 1);
    const none = await t.admin('GET', `/api/admin/usage?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z`);
    assert.deepEqual(none.json().series, []);
    assert.equal((await t.admin('GET', '/api/admin/usage?from=yesterday')).statusCode, 400);
  });
});

describe('circuit registry and artifacts', () => {
  test('the bundled circuits are registered as 1.0.0 and served with immutable caching and ETags', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/circuits' })).json() as Array<{ claim_type: string; semver: string; artifacts: Record<string, { url: string; sha256: string }> }>;
    assert.deepEqual(list.map((c) => c.claim_type).sort(), [...CLAIM_TYPES].sort());
    const vkey = list[0]!.artifacts.vkey!;
    const response = await t.app.inject({ method: 'GET', url: vkey.url });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers.etag, `"${vkey.sha256}"`);
    assert.match(String(response.headers['cache-control']), /immutable/);
    const cached = await t.app.inject({ method: 'GET', url: vkey.url, headers: { 'if-none-match': `"${vkey.sha256}"` } });
    assert.equal(cached.statusCode, 304);
  });

  test('an operator uploads artifacts and registers a new version; a broken key is refused', async () => {
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/circuits' })).json() as Array<{ claim_type: string; artifacts: Record<string, { url: string }> }>;
    const age = list.find((c) => c.claim_type === 'age_over_18')!;
    for (const kind of ['vkey', 'wasm', 'zkey'] as const) {
      const bytes = (await t.app.inject({ method: 'GET', url: age.artifacts[kind]!.url })).rawPayload;
      const upload = await t.app.inject({ method: 'PUT', url: `/api/admin/artifacts/custom/age/1.1.0/${kind}`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' }, payload: bytes });
      assert.equal(upload.statusCode, 201, upload.body);
    }
    const registered = await t.admin('POST', '/api/admin/circuits', { claim_type: 'age_over_18', semver: '1.1.0', vkey_s3: 'custom/age/1.1.0/vkey', wasm_s3: 'custom/age/1.1.0/wasm', zkey_s3: 'custom/age/1.1.0/zkey', enabled: true });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().public_signal_count, 7);
    const n = nonce();
    const holder = await proofFor('age_over_18', n);
    assert.equal((await verify({ ...body('age_over_18', holder, { nonce: n }), circuit_version: '1.1.0' })).statusCode, 200);

    const broken = await t.admin('POST', '/api/admin/circuits', { claim_type: 'age_over_18', semver: '1.2.0', vkey_s3: 'custom/age/1.1.0/wasm', wasm_s3: 'custom/age/1.1.0/wasm', zkey_s3: 'custom/age/1.1.0/zkey' });
    assert.equal(broken.json().error_code, 'INVALID_VERIFICATION_KEY');
    const missing = await t.admin('POST', '/api/admin/circuits', { claim_type: 'age_over_18', semver: '1.3.0', vkey_s3: 'nope', wasm_s3: 'nope', zkey_s3: 'nope' });
    assert.equal(missing.json().error_code, 'ARTIFACT_MISSING');
    const traversal = await t.app.inject({ method: 'PUT', url: '/api/admin/artifacts/../../etc/x', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' }, payload: Buffer.from('x') });
    assert.notEqual(traversal.statusCode, 201);
    const tooLong = await t.app.inject({ method: 'PUT', url: `/api/admin/artifacts/custom/${'a'.repeat(256)}`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' }, payload: Buffer.from('x') });
    assert.equal(tooLong.statusCode, 400, tooLong.body);
    assert.equal(tooLong.json().error_code, 'VALIDATION_FAILED');
  });

  test('issuers: a point off the curve is refused; duplicates conflict', async () => {
    const off = await t.admin('POST', '/api/admin/issuers', { name: 'x', public_key: { ax: '1', ay: '2' }, claim_types: ['age_over_18'] });
    assert.equal(off.statusCode, 400);
    const dup = await t.admin('POST', '/api/admin/issuers', { name: 'again', public_key: issuer.publicKey, claim_types: ['age_over_18'] });
    assert.equal(dup.statusCode, 409);
  });
});
