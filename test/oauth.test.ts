import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys, jwkThumbprint, type PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { ApiError } from '#platform/http/errors.ts';
import { prepareHttpEdge } from '#platform/http/prepare-edge.ts';
import { enforceRouteAccess } from '#platform/http/route-access.ts';
import { registerRateLimiting } from '#platform/http/rate-limit.ts';
import { newId } from '#platform/ids.ts';
import { createLogger } from '#platform/logger.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { createClient, type CreatedClient } from '#modules/clients/create-client.ts';
import { disableClient } from '#modules/clients/disable-client.ts';
import { rotateClientKey } from '#modules/clients/rotate-client-key.ts';
import type { ApiClientCreate } from '#modules/clients/schema.ts';
import { registerOAuthRoutes } from '#modules/oauth/routes.ts';
import { verifyAccessToken } from '#modules/oauth/verify-access-token.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/** A clock the tests move by hand. */
const clock = { current: new Date(), now() { return this.current; } } satisfies Clock & { current: Date };
const actor: AuditActor = { type: 'cli', id: null, ip: null, requestId: null };

let database: TestDatabase;
let platformKeys: PlatformKeys;
let app: FastifyInstance;
const logLines: string[] = [];

before(async () => {
  database = await createTestDatabase();
  platformKeys = createPlatformKeys({ db: database.db, secretBox: createSecretBox([randomBytes(32)]) });
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { logLines.push(chunk.toString()); done(); } }));
  // The application's HTTP set-up (see buildApp), with the OAuth routes and a Bearer-protected route.
  app = Fastify({ loggerInstance: log as FastifyBaseLogger, genReqId: () => newId('req'), requestIdHeader: false });
  prepareHttpEdge(app);
  await registerOAuthRoutes(app, { db: database.db, clock, platformKeys });
  app.get('/whoami', async (request) => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const result = await verifyAccessToken({ db: database.db, clock, platformKeys }, match?.[1] ?? '');
    if (!result.ok) throw new ApiError('UNAUTHORIZED', result.message);
    return { client_id: result.clientId, scopes: result.scopes };
  });
  app.post('/elsewhere', async () => ({ ok: true }));
  await app.ready();
});
after(async () => {
  await app.close();
  await database.drop();
});

async function partner(input: Partial<ApiClientCreate> = {}): Promise<CreatedClient> {
  return createClient({ db: database.db, clock, secretBox: createSecretBox([randomBytes(32)]) }, { name: 'Bank', scopes: ['age_over_18', 'citizenship'], ...input }, actor);
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function form(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
}

function json(body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
}

const verify = (token: string) => verifyAccessToken({ db: database.db, clock, platformKeys }, token);

function assertOAuthError(response: LightMyRequestResponse, status: number, error: string, errorCode: string): Record<string, string> {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.error, error);
  assert.equal(body.error_code, errorCode);
  assert.match(body.request_id, /^req_/);
  assert.equal(typeof body.error_description, 'string');
  assert.doesNotMatch(body.error_description, /["\\]/);
  assert.equal(response.headers['cache-control'], 'no-store');
  if (error === 'invalid_client') assert.match(String(response.headers['www-authenticate']), /^Basic realm="veridity"/);
  else assert.equal(response.headers['www-authenticate'], undefined);
  return body;
}

describe('POST /oauth/token', () => {
  test('HTTP Basic + form body: a signed EdDSA JWT with the client scopes, verifiable with the published JWKS', async () => {
    const client = await partner();
    const response = await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['pragma'], 'no-cache');
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 900);
    assert.equal(body.scope, 'age_over_18 citizenship');

    // Independent verification, as a partner would do it: jose with the JWK Set from the well-known URL.
    const jwksResponse = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(jwksResponse.statusCode, 200);
    assert.match(String(jwksResponse.headers['cache-control']), /max-age=/);
    const jwks = jwksResponse.json();
    for (const key of jwks.keys) assert.equal('d' in key, false, 'private part published');
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: 'veridity',
      audience: 'veridity-api',
      currentDate: clock.now(),
    });
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(protectedHeader.kid, jwkThumbprint(jwks.keys.find((k: { kid: string }) => k.kid === protectedHeader.kid)));
    assert.equal(payload.sub, client.id);
    assert.equal(payload.client_id, client.id);
    assert.equal(payload.scope, 'age_over_18 citizenship');
    assert.equal(payload.iat, Math.floor(clock.now().getTime() / 1000));
    assert.equal(payload.exp, payload.iat! + 900);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);

    const verified = await verify(body.access_token);
    assert.ok(verified.ok);
    assert.equal(verified.clientId, client.id);
    assert.deepEqual(verified.scopes, ['age_over_18', 'citizenship']);
    assert.equal(verified.client.rateLimitOverride, null);

    const whoami = await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${body.access_token}` } });
    assert.deepEqual(whoami.json(), { client_id: client.id, scopes: ['age_over_18', 'citizenship'] });
  });

  test('client_secret_post in a form body, and JSON bodies with either method', async () => {
    const client = await partner();
    const post = await form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.api_key });
    assert.equal(post.statusCode, 200, post.body);
    const withCharset = await form(
      { grant_type: 'client_credentials', client_id: client.id, client_secret: client.api_key },
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    );
    assert.equal(withCharset.statusCode, 200, withCharset.body);
    const jsonPost = await json({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.api_key });
    assert.equal(jsonPost.statusCode, 200, jsonPost.body);
    const jsonBasic = await json({ grant_type: 'client_credentials', client_id: client.id }, { authorization: basic(client.id, client.api_key) });
    assert.equal(jsonBasic.statusCode, 200, jsonBasic.body);
    for (const response of [post, withCharset, jsonPost, jsonBasic]) {
      const verified = await verify(response.json().access_token);
      assert.ok(verified.ok && verified.clientId === client.id);
    }
  });

  test('Basic credentials are form-decoded (RFC 6749 §2.3.1); unknown parameters are ignored', async () => {
    const client = await partner();
    const encodedId = client.id.replace('_', '%5F');
    const response = await form({ grant_type: 'client_credentials', audience: 'ignored', resource: 'x' }, { authorization: basic(encodedId, client.api_key) });
    assert.equal(response.statusCode, 200, response.body);
  });

  test('wrong, foreign or missing credentials: 401 invalid_client with a Basic challenge', async () => {
    const client = await partner();
    const other = await partner();
    const wrongSecret = 'vk_' + randomBytes(32).toString('base64url');
    const cases: Array<[string, Promise<LightMyRequestResponse>]> = [
      ['wrong secret (Basic)', form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, wrongSecret) })],
      ['wrong secret (body)', form({ grant_type: 'client_credentials', client_id: client.id, client_secret: wrongSecret })],
      ["another client's key", form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, other.api_key) })],
      ['no credentials', form({ grant_type: 'client_credentials' })],
      ['client_id without secret', form({ grant_type: 'client_credentials', client_id: client.id })],
      ['Bearer instead of Basic', form({ grant_type: 'client_credentials' }, { authorization: `Bearer ${client.api_key}` })],
      ['Basic without colon', form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(client.api_key).toString('base64')}` })],
    ];
    for (const [name, pending] of cases) {
      const body = assertOAuthError(await pending, 401, 'invalid_client', 'UNAUTHORIZED');
      assert.ok(body.error_description, name);
    }
  });

  test('a disabled client gets no token, and the tokens it already holds stop working', async () => {
    const client = await partner();
    const token = (await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) })).json().access_token;
    assert.equal((await verify(token)).ok, true);
    await disableClient({ db: database.db, clock }, client.id, actor);

    const refused = assertOAuthError(await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) }), 401, 'invalid_client', 'UNAUTHORIZED');
    assert.equal(refused.error_description, 'client is disabled');
    const verified = await verify(token);
    assert.deepEqual(verified, { ok: false, code: 'CLIENT_DISABLED', message: 'client is disabled' });
    const whoami = await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } });
    assert.equal(whoami.statusCode, 401);
  });

  test('rotating the key revokes the tokens issued before it, even in the same second; tokens bought with the new key work', async () => {
    const client = await partner();
    const before = (await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) })).json().access_token;
    assert.equal((await verify(before)).ok, true);
    // The test clock stands still: the rotation and both tokens share one second of `iat`.
    const rotated = await rotateClientKey({ db: database.db, clock }, client.id, actor);
    assert.ok(rotated.ok);

    // The operator's rotation disables every key of the partner: the token's own key is refused.
    const revoked = await verify(before);
    assert.equal(!revoked.ok && revoked.code, 'KEY_DISABLED');
    const whoami = await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${before}` } });
    assert.equal(whoami.statusCode, 401);

    const after = (await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, rotated.client.api_key) })).json().access_token;
    assert.equal(decodeJwt(after).iat, decodeJwt(before).iat);
    assert.equal((await verify(after)).ok, true);
  });

  test('disabling revokes the tokens for good: they are refused as revoked, not only while the client stays disabled', async () => {
    const client = await partner();
    const token = (await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) })).json().access_token;
    await disableClient({ db: database.db, clock }, client.id, actor);
    // Nothing re-enables a client today; should something ever do it, the token must stay dead.
    await database.pool.query('UPDATE api_clients SET disabled_at = NULL WHERE id = $1', [client.id]);
    const verified = await verify(token);
    assert.equal(!verified.ok && verified.code, 'TOKEN_REVOKED');
  });

  test('scope narrows to a subset; a scope the client lacks is invalid_scope', async () => {
    const client = await partner({ scopes: ['age_over_18', 'citizenship', 'education'] });
    const auth = { authorization: basic(client.id, client.api_key) };
    const narrowed = await form({ grant_type: 'client_credentials', scope: 'education  citizenship education' }, auth);
    assert.equal(narrowed.statusCode, 200, narrowed.body);
    assert.equal(narrowed.json().scope, 'education citizenship');
    assert.equal(decodeJwt(narrowed.json().access_token).scope, 'education citizenship');
    const verified = await verify(narrowed.json().access_token);
    assert.ok(verified.ok);
    assert.deepEqual(verified.scopes, ['education', 'citizenship']);
    assert.deepEqual(verified.client.scopes, ['education', 'citizenship']);

    for (const scope of ['income_gte', 'citizenship income_gte', 'admin']) {
      const body = assertOAuthError(await form({ grant_type: 'client_credentials', scope }, auth), 400, 'invalid_scope', 'UNAUTHORIZED_SCOPE');
      assert.match(body.error_description!, /not granted/);
    }
    const emptyScope = await json({ grant_type: 'client_credentials', scope: '' }, auth);
    assert.equal(emptyScope.json().scope, 'age_over_18 citizenship education', 'an empty parameter counts as omitted');
  });

  test('scopes removed from the client since issuance no longer count', async () => {
    const client = await partner({ scopes: ['age_over_18', 'citizenship'] });
    const token = (await form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.api_key) })).json().access_token;
    await database.pool.query(`UPDATE api_clients SET scopes = '{citizenship}' WHERE id = $1`, [client.id]);
    const verified = await verify(token);
    assert.ok(verified.ok);
    assert.deepEqual(verified.scopes, ['citizenship']);
  });

  test('grant type and request shape errors are RFC 6749 errors with our codes', async () => {
    const client = await partner();
    const auth = { authorization: basic(client.id, client.api_key) };
    assertOAuthError(await form({}, auth), 400, 'invalid_request', 'VALIDATION_FAILED');
    assertOAuthError(await form({ grant_type: 'password' }, auth), 400, 'unsupported_grant_type', 'VALIDATION_FAILED');
    assertOAuthError(await form({ grant_type: 'authorization_code' }, auth), 400, 'unsupported_grant_type', 'VALIDATION_FAILED');
    const repeated = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      payload: 'grant_type=client_credentials&scope=citizenship&scope=age_over_18',
    });
    assert.match(assertOAuthError(repeated, 400, 'invalid_request', 'VALIDATION_FAILED').error_description!, /scope is repeated/);
    assert.match(
      assertOAuthError(await form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.api_key }, auth), 400, 'invalid_request', 'VALIDATION_FAILED').error_description!,
      /one client authentication method/,
    );
    assertOAuthError(await json({ grant_type: 'client_credentials', client_id: 'cli_other' }, auth), 400, 'invalid_request', 'VALIDATION_FAILED');
    assertOAuthError(await json({ grant_type: 'client_credentials', scope: ['citizenship'] }, auth), 400, 'invalid_request', 'VALIDATION_FAILED');
    assertOAuthError(await json([], auth), 400, 'invalid_request', 'VALIDATION_FAILED');
    const malformed = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json', ...auth }, payload: '{"grant_type":' });
    assertOAuthError(malformed, 400, 'invalid_request', 'MALFORMED_JSON');
    const text = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'text/plain', ...auth }, payload: 'grant_type=client_credentials' });
    assertOAuthError(text, 415, 'invalid_request', 'UNSUPPORTED_MEDIA_TYPE');
    const huge = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, payload: `grant_type=client_credentials&x=${'a'.repeat(1_100_000)}` });
    assertOAuthError(huge, 413, 'invalid_request', 'PAYLOAD_TOO_LARGE');
    const noBody = await app.inject({ method: 'POST', url: '/oauth/token', headers: auth });
    assertOAuthError(noBody, 400, 'invalid_request', 'VALIDATION_FAILED');
  });

  test('over the per-IP limit the token endpoint answers our 429 contract, not an OAuth error', async () => {
    const limited = Fastify({ genReqId: () => newId('req'), requestIdHeader: false });
    prepareHttpEdge(limited);
    const limits = await registerRateLimiting(limited, { redisUrl: undefined, ipMaxPerMinute: 1, log: createLogger('silent') });
    // Only the per-IP limit applies to the token endpoint: no other kind of caller is authenticated here.
    enforceRouteAccess(limited, { rateLimitPerIp: limits.perIp, publicPrefixes: [] });
    await registerOAuthRoutes(limited, { db: database.db, clock, platformKeys });
    await limited.ready();
    try {
      const client = await partner();
      const request = () => limited.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: basic(client.id, client.api_key) }, payload: { grant_type: 'client_credentials' } });
      assert.equal((await request()).statusCode, 200);
      const refused = await request();
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().error_code, 'RATE_LIMITED');
      assert.match(refused.json().request_id, /^req_/);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal(refused.headers['ratelimit-policy'], '"per-ip";q=1;w=60');
    } finally {
      await limited.close();
    }
  });

  test('the form parser exists for the token endpoint only', async () => {
    const response = await app.inject({ method: 'POST', url: '/elsewhere', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().error_code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('neither the API key nor the access token reaches the logs', async () => {
    const client = await partner();
    const response = await form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.api_key });
    const token = response.json().access_token;
    await app.inject({ method: 'GET', url: '/whoami', headers: { authorization: `Bearer ${token}` } });
    const logs = logLines.join('');
    assert.match(logs, /access token issued/);
    assert.equal(logs.includes(client.api_key), false);
    assert.equal(logs.includes(token), false);
    assert.equal(logs.includes(token.split('.')[2]), false);
  });
});

describe('verifyAccessToken', () => {
  async function issue(scope?: string): Promise<{ token: string; clientId: string }> {
    const client = await partner();
    const response = await form({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(client.id, client.api_key) });
    assert.equal(response.statusCode, 200, response.body);
    return { token: response.json().access_token, clientId: client.id };
  }

  /** Signs `claims` as the platform would, with a key and header of the test's choosing. */
  async function sign(claims: JWTPayload, key: Parameters<SignJWT['sign']>[0], header: { alg?: string; kid: string; typ?: string }) {
    return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header }).sign(key);
  }

  test('expiry is checked against the clock passed in', async () => {
    const start = clock.current;
    try {
      const { token } = await issue();
      clock.current = new Date(start.getTime() + 899_000);
      assert.equal((await verify(token)).ok, true, 'valid one second before exp');
      clock.current = new Date(start.getTime() + 901_000);
      const expired = await verify(token);
      assert.equal(expired.ok, false);
      assert.equal(!expired.ok && expired.code, 'EXPIRED');
    } finally {
      clock.current = start;
    }
  });

  test('a tampered token is refused', async () => {
    const { token } = await issue('age_over_18');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'age_over_18 citizenship' })).toString('base64url');
    const forged = await verify(`${header}.${widened}.${signature}`);
    assert.equal(!forged.ok && forged.code, 'SIGNATURE_INVALID');

    const bytes = Buffer.from(signature, 'base64url');
    bytes[0]! ^= 1;
    const flipped = await verify(`${header}.${payload}.${bytes.toString('base64url')}`);
    assert.equal(!flipped.ok && flipped.code, 'SIGNATURE_INVALID');

    for (const junk of ['', 'not-a-jwt', `${header}.${payload}`, 'a.b.c']) {
      const result = await verify(junk);
      assert.equal(!result.ok && result.code, 'MALFORMED', junk);
    }
  });

  test('a token signed by another key is refused, whatever kid it claims', async () => {
    const { token } = await issue();
    const claims = decodeJwt(token);
    const platformKid = decodeProtectedHeader(token).kid!;
    const stranger = generateKeyPairSync('ed25519');

    const sameKid = await verify(await sign(claims, stranger.privateKey, { kid: platformKid }));
    assert.equal(!sameKid.ok && sameKid.code, 'SIGNATURE_INVALID');
    const strangerKid = jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: stranger.publicKey.export({ format: 'jwk' }).x! });
    const ownKid = await verify(await sign(claims, stranger.privateKey, { kid: strangerKid }));
    assert.equal(!ownKid.ok && ownKid.code, 'UNKNOWN_KEY');
    const noKid = await verify(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(stranger.privateKey));
    assert.equal(!noKid.ok && noKid.code, 'UNKNOWN_KEY');

    // Algorithm confusion: an HMAC keyed with the published public key.
    const oauthKey = await platformKeys.activeKey('oauth');
    const hmacKey = Buffer.from(oauthKey.publicKeyPem);
    const confused = await verify(await sign(claims, hmacKey, { alg: 'HS256', kid: platformKid }));
    assert.equal(!confused.ok && confused.code, 'MALFORMED');

    // A platform key of another purpose does not sign access tokens.
    const ledgerKey = await platformKeys.activeKey('ledger');
    const crossPurpose = await verify(await sign(claims, ledgerKey.privateKey, { kid: ledgerKey.id }));
    assert.equal(!crossPurpose.ok && crossPurpose.code, 'UNKNOWN_KEY');
  });

  test('issuer, audience, type and claims are checked even under the platform key', async () => {
    const { token, clientId } = await issue();
    const claims = decodeJwt(token);
    const key = await platformKeys.activeKey('oauth');
    const cases: Array<[string, JWTPayload, { typ?: string }]> = [
      ['issuer', { ...claims, iss: 'someone-else' }, {}],
      ['audience', { ...claims, aud: 'another-api' }, {}],
      ['type', claims, { typ: 'JWT' }],
      ['missing scope', { ...claims, scope: undefined }, {}],
      ['client_id differs from sub', { ...claims, client_id: 'cli_other' }, {}],
      ['missing token_generation', { ...claims, token_generation: undefined }, {}],
      ['token_generation not a number', { ...claims, token_generation: '0' }, {}],
      ['missing key_id', { ...claims, key_id: undefined }, {}],
      ['key_id of another client', { ...claims, sub: 'cli_nobody', client_id: 'cli_nobody' }, {}],
    ];
    for (const [name, payload, header] of cases) {
      const result = await verify(await sign(payload, key.privateKey, { kid: key.id, ...header }));
      assert.equal(!result.ok && result.code, 'CLAIMS_INVALID', name);
    }
    const unknownClient = await verify(await sign({ ...claims, key_id: 'key_nobody' }, key.privateKey, { kid: key.id }));
    assert.equal(!unknownClient.ok && unknownClient.code, 'UNKNOWN_CLIENT');
    const control = await verify(await sign(claims, key.privateKey, { kid: key.id }));
    assert.ok(control.ok && control.clientId === clientId, 'the same claims signed correctly pass');
  });
});
