import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => (t = await createTestApp({ bodyLimitBytes: 4096 })));
after(async () => t.close());

function assertErrorShape(response: { statusCode: number; headers: Record<string, unknown>; json(): any; body: string }, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.error_code, code);
  assert.equal(typeof body.error, 'string');
  assert.match(body.request_id, /^req_[0-9a-z]{26}$/);
  assert.equal(response.headers['x-request-id'], body.request_id);
  assert.doesNotMatch(response.body, /\bat .*\.ts:\d+|stack/i, 'no stack trace in responses');
}

describe('every failure answers {error, error_code, request_id}', () => {
  test('validation names the field (400 VALIDATION_FAILED)', async () => {
    const response = await t.admin('POST', '/api/admin/clients', { name: '', scopes: [] });
    assertErrorShape(response, 400, 'VALIDATION_FAILED');
    assert.deepEqual(response.json().fields, ['body.name', 'body.scopes']);
    assert.match(response.json().error, /body\.name/);
  });

  test('unknown fields are rejected (strict schemas)', async () => {
    const response = await t.admin('POST', '/api/admin/clients', { name: 'x', scopes: ['education'], is_admin: true });
    assertErrorShape(response, 400, 'VALIDATION_FAILED');
    assert.match(response.json().error, /unknown field body\.is_admin/);
  });

  test('malformed JSON (400 MALFORMED_JSON)', async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/api/admin/clients', payload: '{"name": "x",',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
    });
    assertErrorShape(response, 400, 'MALFORMED_JSON');
  });

  test('oversized body (413 PAYLOAD_TOO_LARGE), nothing written', async () => {
    const before = await t.database.pool.query('SELECT count(*)::int AS n FROM api_clients');
    const response = await t.admin('POST', '/api/admin/clients', { name: 'x'.repeat(5000), scopes: ['education'] });
    assertErrorShape(response, 413, 'PAYLOAD_TOO_LARGE');
    const afterwards = await t.database.pool.query('SELECT count(*)::int AS n FROM api_clients');
    assert.equal(afterwards.rows[0].n, before.rows[0].n);
  });

  test('unsupported media type (415)', async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/api/admin/clients', payload: 'name=x',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertErrorShape(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('unknown route (404 NOT_FOUND) and unknown id (404)', async () => {
    assertErrorShape(await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
    assertErrorShape(await t.admin('GET', '/api/admin/clients/cli_00000000000000000000000000'), 404, 'NOT_FOUND');
    assertErrorShape(await t.admin('GET', '/api/admin/clients/not-an-id'), 400, 'VALIDATION_FAILED');
  });

  test('auth (401 UNAUTHORIZED)', async () => {
    assertErrorShape(await t.app.inject({ method: 'GET', url: '/api/admin/clients' }), 401, 'UNAUTHORIZED');
    assertErrorShape(await t.app.inject({ method: 'GET', url: '/api/v1/me' }), 401, 'UNAUTHORIZED');
  });

  test('the reusable scope check refuses a key without the scope (403 UNAUTHORIZED_SCOPE)', async () => {
    const partner = await createPartner(t, { scopes: ['age_over_18'] });
    const request = { client: { id: partner.id, name: 'x', scopes: ['age_over_18'], rateLimitPerMinute: 1, lastUsed: null } } as never;
    assert.equal(requireScope(request, 'age_over_18').id, partner.id);
    assert.throws(() => requireScope(request, 'citizenship'), (error: any) => error.code === 'UNAUTHORIZED_SCOPE' && error.statusCode === 403);
  });

  test('security headers are set (helmet)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.ok(response.headers['strict-transport-security']);
  });
});

describe('documentation and metrics', () => {
  test('/openapi.json is OpenAPI 3.1 and lists the routes with their security', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(spec.openapi, '3.1.0');
    for (const path of ['/api/admin/clients', '/api/admin/clients/{id}', '/api/admin/clients/{id}/rotate-key', '/api/v1/me', '/healthz', '/readyz']) {
      assert.ok(spec.paths[path], `missing ${path}`);
    }
    assert.deepEqual(spec.paths['/api/admin/clients'].post.security, [{ BearerAuth: [] }, { ConsoleSession: [] }]);
    assert.ok(spec.components.schemas.ApiClient);
    assert.ok(spec.components.schemas.Error);
  });

  test('/docs serves the interactive documentation', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /swagger/i);
  });

  test('/metrics exposes request durations by route and status, and pool gauges', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /veridity_http_request_duration_seconds_bucket\{.*route="\/healthz".*status_code="200"/);
    assert.match(text, /veridity_db_pool_connections_total/);
    assert.match(text, /veridity_process_cpu_seconds_total/);
  });
});

describe('inputs that used to reach a 500 (found by fuzzing) are 400s naming the field', () => {
  test('a webhook URL that is not a URL, an issuer key that is not a number', async () => {
    const url = await t.admin('POST', '/api/admin/clients', { name: 'x', scopes: ['age_over_18'], webhook_url: 'x y' });
    assertErrorShape(url, 400, 'VALIDATION_FAILED');
    assert.deepEqual(url.json().fields, ['body.webhook_url']);
    const issuer = await t.admin('POST', '/api/admin/issuers', { name: 'x', public_key: { ax: 'abc', ay: '1' }, claim_types: ['age_over_18'] });
    assertErrorShape(issuer, 400, 'VALIDATION_FAILED');
    assert.deepEqual(issuer.json().fields, ['body.public_key.ax']);
    assert.doesNotMatch(issuer.body, /BigInt/);
  });

  test('ids that are not ids (NUL, names of Object.prototype members) are refused before any lookup', async () => {
    const { api_key } = await createPartner(t);
    for (const url of ['/api/v1/receipts/constructor', '/api/v1/receipts/__proto__', '/api/v1/status/%00', '/api/v1/status/toString']) {
      assertErrorShape(await t.app.inject({ url, headers: { 'x-api-key': api_key } }), 400, 'VALIDATION_FAILED');
    }
    assertErrorShape(await t.app.inject({ url: '/api/v1/circuits/age_over_18/%00/circuit.wasm' }), 400, 'VALIDATION_FAILED');
  });
});
