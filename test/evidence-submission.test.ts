/**
 * Evidence submission through HTTP on a real database and object storage: the raw and JSON forms
 * of POST /api/v1/proofs, what is refused at the door (400 / 413, nothing stored), the same DER
 * twice, Idempotency-Key, bulk (JSON and multipart) with good, bad and duplicate items, listing,
 * scopes and tenancy. The documents are the openssl-made vectors of the verification fixtures.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MiB = 1024 * 1024;

let t: TestApp;
let key: string;
let documents: { ecEmbedded: Buffer; rsa: Buffer; ed25519: Buffer; detached: Buffer; content: Buffer; enveloped: Buffer; pss: Buffer; p384: Buffer };

before(async () => {
  t = await createTestApp();
  key = (await createPartner(t, { name: 'Recycler', scopes: ['evidence'] })).api_key;
  documents = {
    ecEmbedded: await fixture('ec-embedded.der'),
    rsa: await fixture('rsa-pkcs1.der'),
    ed25519: await fixture('ed25519.der'),
    detached: await fixture('ec-detached.der'),
    content: await fixture('erasure-report.json'),
    enveloped: await fixture('enveloped-rsa-oaep.der'),
    pss: await fixture('rsa-pss.der'),
    p384: await fixture('ec-p384-sha384.der'),
  };
});
after(() => t.close());

type Send = { method?: 'GET' | 'POST'; url?: string; headers?: Record<string, string>; payload?: string | Buffer | object; as?: string };
const send = (options: Send): Promise<LightMyRequestResponse> =>
  t.app.inject({
    method: options.method ?? 'POST',
    url: options.url ?? '/api/v1/proofs',
    headers: { 'x-api-key': options.as ?? key, ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
const raw = (bytes: Buffer, headers: Record<string, string> = {}, as?: string) => send({ payload: bytes, headers: { 'content-type': 'application/pkcs7-mime', ...headers }, ...(as ? { as } : {}) });
const json = (body: unknown, headers: Record<string, string> = {}) => send({ payload: body as object, headers });

function assertError(response: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.error_code, code, response.body);
  assert.match(body.request_id, /^req_/);
  return body;
}

const rowCount = async () => Number((await t.database.pool.query('SELECT count(*) FROM evidence_submissions')).rows[0].count);
const jobCount = async () => Number((await t.database.pool.query(`SELECT count(*) FROM pgboss.job WHERE name = 'evidence.verify'`)).rows[0].count);

describe('POST /api/v1/proofs', () => {
  test('raw DER: 202 {id, status: received} with Location; the row and its job exist, the bytes are in object storage', async () => {
    const response = await raw(documents.ecEmbedded, { 'content-type': 'application/pkcs7-mime; smime-type=signed-data' });
    assert.equal(response.statusCode, 202, response.body);
    const { id, status } = response.json();
    assert.match(id, /^evd_[0-9a-z]{26}$/);
    assert.equal(status, 'received');
    assert.equal(response.headers.location, `/api/v1/proofs/${id}`);
    const { rows } = await t.database.pool.query('SELECT object_key, job_id, der_sha256 FROM evidence_submissions WHERE id = $1', [id]);
    assert.equal(rows[0].der_sha256, sha256(documents.ecEmbedded));
    assert.ok(rows[0].job_id, 'queued with its job');
    assert.deepEqual(await t.storage.get(rows[0].object_key), documents.ecEmbedded);

    const shown = await send({ method: 'GET', url: `/api/v1/proofs/${id}` });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.deepEqual(
      { ...(shown.json() as Record<string, unknown>), created_at: undefined },
      {
        id, status: 'received', sha256: sha256(documents.ecEmbedded), size: documents.ecEmbedded.length, detached_content_size: null, filename: null, metadata: null,
        attempts: 0, error_code: null, error_message: null, error_path: null, document: null, encrypted: null, certificate: null, receipt_url: null,
        created_at: undefined, started_at: null, finished_at: null, agent_id: null,
        rejected_at: null, retests: 0, retested_at: null, evidence_purged_at: null,
      },
    );
  });

  test('the same DER again, raw or as JSON: 200 with the existing submission, never a second one', async () => {
    const first = await raw(documents.rsa, { 'content-type': 'application/octet-stream' });
    assert.equal(first.statusCode, 202, first.body);
    const before = await rowCount();
    const again = await raw(documents.rsa);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().id, first.json().id);
    assert.equal(again.json().sha256, sha256(documents.rsa));
    assert.equal(again.headers.location, `/api/v1/proofs/${first.json().id}`);
    const asJson = await json({ der_base64: documents.rsa.toString('base64'), filename: 'other-name.der' });
    assert.equal(asJson.statusCode, 200, asJson.body);
    assert.equal(asJson.json().id, first.json().id);
    assert.equal(await rowCount(), before);
  });

  test('concurrent submissions of one DER make one submission and one job', async () => {
    const jobsBefore = await jobCount();
    const responses = await Promise.all(Array.from({ length: 6 }, () => raw(documents.pss)));
    const ids = new Set(responses.map((response) => response.json().id));
    assert.equal(ids.size, 1);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 202]);
    assert.equal(await jobCount(), jobsBefore + 1);
  });

  test('JSON with detached content, filename and metadata: kept and shown back', async () => {
    const response = await json({
      der_base64: documents.detached.toString('base64'),
      content_base64: documents.content.toString('base64'),
      filename: 'wipe-SN123.der',
      metadata: { station: 'bay-4', batch: 7 },
    });
    assert.equal(response.statusCode, 202, response.body);
    const shown = (await send({ method: 'GET', url: `/api/v1/proofs/${response.json().id}` })).json();
    assert.equal(shown.filename, 'wipe-SN123.der');
    assert.deepEqual(shown.metadata, { station: 'bay-4', batch: 7 });
    assert.equal(shown.detached_content_size, documents.content.length);
  });

  test('not DER, truncated, empty, another CMS type: 400 naming the reason, nothing stored', async () => {
    const before = await rowCount();
    const pdf = assertError(await raw(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')), 400, 'VALIDATION_FAILED');
    assert.equal(pdf.reason, 'MALFORMED_CMS');
    assert.match(pdf.error, /^body: not DER/);
    assert.deepEqual(pdf.fields, ['body'], 'the raw body, not the der_base64 it was turned into');
    const fromJson = assertError(await json({ der_base64: Buffer.from('{"schema":"erasure-report/v1"}').toString('base64') }), 400, 'VALIDATION_FAILED');
    assert.deepEqual([fromJson.reason, fromJson.fields], ['MALFORMED_CMS', ['body.der_base64']]);
    const truncated = assertError(await raw(documents.ed25519.subarray(0, documents.ed25519.length - 7)), 400, 'VALIDATION_FAILED');
    assert.equal(truncated.reason, 'MALFORMED_CMS');
    assert.match(truncated.error, /truncated/);
    assertError(await raw(Buffer.alloc(0)), 400, 'VALIDATION_FAILED');
    const certificate = assertError(await raw(Buffer.from((await fixture('ec-root-ca.pem')).toString().replace(/-----[^-]+-----|\s/g, ''), 'base64')), 400, 'VALIDATION_FAILED');
    assert.equal(certificate.reason, 'MALFORMED_CMS');
    assert.equal(await rowCount(), before);
  });

  test('over 1 MiB raw: 413 before it is read; over 1 MiB decoded from JSON: 413', async () => {
    const big = Buffer.concat([documents.ecEmbedded, Buffer.alloc(MiB)]);
    assertError(await raw(big), 413, 'PAYLOAD_TOO_LARGE');
    const fromJson = assertError(await json({ der_base64: big.toString('base64') }), 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(fromJson.reason, 'TOO_LARGE');
    assertError(await json({ der_base64: Buffer.alloc(3 * MiB).toString('base64') }), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('JSON with bad base64, unknown fields, a bad file name or metadata over 4 KiB: 400 naming the field', async () => {
    const badBase64 = assertError(await json({ der_base64: 'MIIG*not base64*' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(badBase64.fields, ['body.der_base64']);
    assertError(await json({ der_base64: documents.ecEmbedded.toString('base64'), content_base64: '@@' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(assertError(await json({ der_base64: documents.ecEmbedded.toString('base64'), extra: 1 }), 400, 'VALIDATION_FAILED').fields, ['body.extra']);
    assertError(await json({ der_base64: documents.ecEmbedded.toString('base64'), filename: '../etc/passwd' }), 400, 'VALIDATION_FAILED');
    const metadata = assertError(await json({ der_base64: documents.p384.toString('base64'), metadata: { note: 'x'.repeat(5000) } }), 400, 'VALIDATION_FAILED');
    assert.equal(metadata.reason, 'METADATA_TOO_LARGE');
    assertError(await send({ payload: 'hello', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('Idempotency-Key: the same key and body replay the first answer; another body is refused', async () => {
    const headers = { 'idempotency-key': 'evidence-once-1', 'content-type': 'application/pkcs7-mime' };
    const first = await send({ payload: documents.p384, headers });
    assert.equal(first.statusCode, 202, first.body);
    const replay = await send({ payload: documents.p384, headers });
    assert.equal(replay.statusCode, 202);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.body, first.body);
    assert.equal(replay.headers.location, first.headers.location);
    assertError(await send({ payload: documents.enveloped, headers }), 422, 'IDEMPOTENCY_KEY_REUSED');
  });

  test('a key without the evidence scope: 403; another partner\'s submission: 404, as one that does not exist', async () => {
    const unscoped = (await createPartner(t, { name: 'Bank', scopes: ['age_over_18'] })).api_key;
    assertError(await raw(documents.ecEmbedded, {}, unscoped), 403, 'UNAUTHORIZED_SCOPE');
    const mine = (await raw(documents.ecEmbedded)).json().id;
    const other = (await createPartner(t, { name: 'Other recycler', scopes: ['evidence'] })).api_key;
    assertError(await send({ method: 'GET', url: `/api/v1/proofs/${mine}`, as: other }), 404, 'NOT_FOUND');
    // Its own submission of the same DER is its own.
    const theirs = await raw(documents.ecEmbedded, {}, other);
    assert.equal(theirs.statusCode, 202, theirs.body);
    assert.notEqual(theirs.json().id, mine);
    const listed = (await send({ method: 'GET', url: '/api/v1/proofs', as: other })).json();
    assert.deepEqual(listed.data.map((item: { id: string }) => item.id), [theirs.json().id]);
  });
});

describe('POST /api/v1/proofs/bulk', () => {
  test('JSON: good, bad and duplicate items each get their result; one bad item never fails the batch', async () => {
    const already = (await raw(documents.ecEmbedded)).json().id;
    const response = await send({
      url: '/api/v1/proofs/bulk',
      payload: [
        { der_base64: documents.ed25519.toString('base64'), filename: 'a.der' },
        { der_base64: documents.ecEmbedded.toString('base64') },
        { der_base64: 'not base64!' },
        { der_base64: Buffer.from('plain text').toString('base64') },
        42,
        { der_base64: documents.ed25519.toString('base64') },
        { der_base64: documents.ed25519.subarray(0, 100).toString('base64') },
      ],
    });
    assert.equal(response.statusCode, 200, response.body);
    const { results, accepted, duplicate, refused } = response.json();
    assert.deepEqual(results.map((r: { result: string }) => r.result), ['accepted', 'duplicate', 'refused', 'refused', 'refused', 'duplicate', 'refused']);
    assert.deepEqual({ accepted, duplicate, refused }, { accepted: 1, duplicate: 2, refused: 4 });
    assert.equal(results[0].filename, 'a.der');
    assert.equal(results[1].id, already);
    assert.equal(results[5].id, results[0].id, 'the second copy in one batch is a duplicate of the first');
    assert.deepEqual(results.filter((r: { reason?: string }) => r.reason).map((r: { reason: string }) => r.reason), ['INVALID_ITEM', 'MALFORMED_CMS', 'INVALID_ITEM', 'MALFORMED_CMS']);
    assert.match(results[2].message, /item\.der_base64/);
  });

  test('more than 500 items, or none: 400 and nothing stored', async () => {
    const before = await rowCount();
    const item = { der_base64: documents.rsa.toString('base64') };
    assertError(await send({ url: '/api/v1/proofs/bulk', payload: Array.from({ length: 501 }, () => item) }), 400, 'VALIDATION_FAILED');
    assertError(await send({ url: '/api/v1/proofs/bulk', payload: [] }), 400, 'VALIDATION_FAILED');
    assertError(await send({ url: '/api/v1/proofs/bulk', payload: { items: [item] } }), 400, 'VALIDATION_FAILED');
    assert.equal(await rowCount(), before);
  });

  test('multipart/form-data: one file per part; a field part and an oversized file are refused, the rest go on', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(documents.enveloped)]), 'enveloped.der');
    form.append('note', 'not a file');
    form.append('file', new Blob([new Uint8Array(MiB + 1).fill(0x30)]), 'huge.der');
    form.append('file', new Blob([new Uint8Array(documents.rsa)]), 'rsa.der');
    form.append('file', new Blob(['garbage']), 'bad\u0001name.der');
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const response = await send({ url: '/api/v1/proofs/bulk', payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } });
    assert.equal(response.statusCode, 200, response.body);
    const { results } = response.json();
    assert.deepEqual(
      results.map((r: Record<string, string>) => [r.result, r.reason ?? null, r.filename ?? null]),
      [['accepted', null, 'enveloped.der'], ['refused', 'INVALID_ITEM', null], ['refused', 'TOO_LARGE', 'huge.der'], ['duplicate', null, 'rsa.der'], ['refused', 'MALFORMED_CMS', null]],
    );
  });

  test('multipart with more than 500 parts: 400', async () => {
    const form = new FormData();
    for (let i = 0; i < 501; i++) form.append('file', new Blob([new Uint8Array([0x30, 0x00])]), `${i}.der`);
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    const response = await send({ url: '/api/v1/proofs/bulk', payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } });
    assert.match(assertError(response, 400, 'VALIDATION_FAILED').error, /more than 500 parts/);
  });
});

describe('GET /api/v1/proofs', () => {
  test('newest first, filtered by status, paged by cursor', async () => {
    const partner = (await createPartner(t, { name: 'Lister', scopes: ['evidence'] })).api_key;
    const ids = [];
    for (const document of [documents.ecEmbedded, documents.rsa, documents.ed25519]) ids.push((await raw(document, {}, partner)).json().id);
    const first = (await send({ method: 'GET', url: '/api/v1/proofs?limit=2', as: partner })).json();
    assert.deepEqual(first.data.map((item: { id: string }) => item.id), [ids[2], ids[1]]);
    const second = (await send({ method: 'GET', url: `/api/v1/proofs?limit=2&cursor=${first.next_cursor}`, as: partner })).json();
    assert.deepEqual(second.data.map((item: { id: string }) => item.id), [ids[0]]);
    assert.equal(second.next_cursor, null);
    assert.equal((await send({ method: 'GET', url: '/api/v1/proofs?status=certified', as: partner })).json().data.length, 0);
    assertError(await send({ method: 'GET', url: '/api/v1/proofs?status=bogus', as: partner }), 400, 'VALIDATION_FAILED');
  });
});
