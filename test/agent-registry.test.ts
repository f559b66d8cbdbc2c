/**
 * The agent registry (issue 14 parts 1-2) end to end through HTTP on a real PostgreSQL: ownership
 * proofs by Solana (Ed25519) and EVM (EIP-191 over a SIWE message) keys made here, challenge
 * binding, replay and expiry, registration validation, changes, deactivation, tenancy, the public
 * card and capabilities, and the query (filters, full text, sort, cursor pages, caching).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base58btc } from 'multiformats/bases/base58';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { parseSiweMessage } from 'viem/siwe';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const SOLANA_MAINNET = '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp';
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
let t: TestApp;
let key: string;
let otherKey: string;

type Signer = { did: string; sign(message: string): Promise<string> };

function solanaSigner(): Signer {
  const secret = ed25519.utils.randomSecretKey();
  const address = base58btc.baseEncode(ed25519.getPublicKey(secret));
  return { did: `did:pkh:solana:${SOLANA_MAINNET}:${address}`, sign: async (message) => base58btc.baseEncode(ed25519.sign(new TextEncoder().encode(message), secret)) };
}

function evmSigner(): Signer & { address: string } {
  const account = privateKeyToAccount(generatePrivateKey());
  return { address: account.address, did: `did:pkh:eip155:1:${account.address}`, sign: (message) => account.signMessage({ message }) };
}

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, apiKey: string = key, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { ...(apiKey ? { 'x-api-key': apiKey } : {}), ...headers }, ...(body === undefined ? {} : { payload: body as object }) });

const card = (overrides: Record<string, unknown> = {}) => ({
  name: `Summarizer ${Math.random().toString(36).slice(2, 8)}`,
  description: 'Summarises long legal documents',
  endpoints: [{ name: 'A2A', endpoint: 'https://agents.example/.well-known/agent-card.json', version: '0.3.0' }],
  supported_trust: ['reputation'],
  capabilities: ['nlp.summarization'],
  tags: ['legal'],
  pricing: [{ unit: 'request', amount: '0.002', currency: 'USDC', x402: true }],
  ...overrides,
});

async function challenge(body: Record<string, unknown>, apiKey = key) {
  const response = await call('POST', '/api/v1/agents/challenge', body, apiKey);
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as { id: string; message: string; controller: string; signing: string; expires_at: string };
}

/** Registers an agent of `signer`, with a proof signed by `by` (the signer itself by default). */
async function registerProved(signer: Signer, overrides: Record<string, unknown> = {}, by: Signer = signer) {
  const asked = await challenge({ controller: signer.did });
  return call('POST', '/api/v1/agents', { ...card(overrides), controller: signer.did, ownership_proof: { challenge_id: asked.id, signature: await by.sign(asked.message) } });
}

before(async () => {
  t = await createTestApp({ clock });
  key = (await createPartner(t, { name: 'Marketplace', scopes: ['agents'] })).api_key;
  otherKey = (await createPartner(t, { name: 'Other marketplace', scopes: ['agents'] })).api_key;
});
after(async () => t.close());

describe('ownership proofs', () => {
  test('a Solana controller signing the challenge: verified', async () => {
    const signer = solanaSigner();
    const asked = await challenge({ controller: signer.did });
    assert.equal(asked.signing, 'solana-ed25519');
    assert.match(asked.message, /wants you to sign in with your Solana account:\n[1-9A-HJ-NP-Za-km-z]{32,44}\n/);
    const registered = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: { challenge_id: asked.id, signature: await signer.sign(asked.message) } });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().status, 'verified');
    assert.match(registered.json().id, /^agr_/);
  });

  test('an EVM controller signing the SIWE message (EIP-191): verified, whatever the address case sent', async () => {
    const signer = evmSigner();
    const lowercase = `did:pkh:eip155:1:${signer.address.toLowerCase()}`;
    const asked = await challenge({ controller: lowercase });
    assert.equal(asked.controller, signer.did, 'canonical: EIP-55');
    const siwe = parseSiweMessage(asked.message);
    assert.equal(siwe.address, signer.address);
    assert.equal(siwe.chainId, 1);
    const registered = await call('POST', '/api/v1/agents', { ...card(), controller: lowercase, ownership_proof: { challenge_id: asked.id, signature: await signer.sign(asked.message) } });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.equal(registered.json().status, 'verified');
    assert.equal(registered.json().controller, signer.did);
  });

  test('a wrong signer: 422 OWNERSHIP_PROOF_INVALID SIGNER_MISMATCH, nothing registered; without a proof the agent is unverified', async () => {
    for (const [signer, impostor] of [[solanaSigner(), solanaSigner()], [evmSigner(), evmSigner()]] as const) {
      const refused = await registerProved(signer, {}, impostor);
      assert.equal(refused.statusCode, 422, refused.body);
      assert.equal(refused.json().error_code, 'OWNERSHIP_PROOF_INVALID');
      assert.equal(refused.json().reason, 'SIGNER_MISMATCH');
      const unproved = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did });
      assert.equal(unproved.statusCode, 201, unproved.body);
      assert.equal(unproved.json().status, 'unverified');
      // Then verified with a challenge bound to that agent; a wrong signer leaves it unverified.
      const id = unproved.json().id;
      const forAgent = await challenge({ agent_id: id });
      const wrong = await call('POST', `/api/v1/agents/${id}/verify`, { challenge_id: forAgent.id, signature: await impostor.sign(forAgent.message) });
      assert.equal(wrong.json().error_code, 'OWNERSHIP_PROOF_INVALID', wrong.body);
      assert.equal((await call('GET', `/api/v1/agents/${id}`)).json().status, 'unverified');
      const right = await call('POST', `/api/v1/agents/${id}/verify`, { challenge_id: forAgent.id, signature: await signer.sign(forAgent.message) });
      assert.equal(right.statusCode, 200, right.body);
      assert.equal(right.json().status, 'verified');
    }
  });

  test('a malformed signature: MALFORMED_SIGNATURE', async () => {
    const signer = evmSigner();
    const asked = await challenge({ controller: signer.did });
    const response = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: { challenge_id: asked.id, signature: '0x1234' } });
    assert.equal(response.json().reason, 'MALFORMED_SIGNATURE', response.body);
  });

  test('a replayed challenge: 409 NONCE_REPLAY', async () => {
    const signer = solanaSigner();
    const asked = await challenge({ controller: signer.did });
    const proof = { challenge_id: asked.id, signature: await signer.sign(asked.message) };
    assert.equal((await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: proof })).statusCode, 201);
    const replayed = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: proof });
    assert.equal(replayed.statusCode, 409, replayed.body);
    assert.equal(replayed.json().error_code, 'NONCE_REPLAY');
  });

  test('an expired challenge: 422 CHALLENGE_INVALID EXPIRED', async () => {
    const signer = evmSigner();
    const asked = await challenge({ controller: signer.did });
    const signature = await signer.sign(asked.message);
    offsetMs = 11 * 60 * 1000;
    try {
      const response = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: { challenge_id: asked.id, signature } });
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(response.json().error_code, 'CHALLENGE_INVALID');
      assert.equal(response.json().reason, 'EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });

  test("a challenge is bound: to the partner (another's is UNKNOWN), the controller and the agent (MISMATCH)", async () => {
    const signer = solanaSigner();
    const asked = await challenge({ controller: signer.did });
    const signature = await signer.sign(asked.message);
    const foreign = await call('POST', '/api/v1/agents', { ...card(), controller: signer.did, ownership_proof: { challenge_id: asked.id, signature } }, otherKey);
    assert.equal(foreign.json().reason, 'UNKNOWN', foreign.body);
    const otherController = await call('POST', '/api/v1/agents', { ...card(), controller: solanaSigner().did, ownership_proof: { challenge_id: asked.id, signature } });
    assert.equal(otherController.json().reason, 'MISMATCH', otherController.body);
    const existing = (await call('POST', '/api/v1/agents', { ...card(), controller: signer.did })).json().id;
    const forNew = await call('POST', `/api/v1/agents/${existing}/verify`, { challenge_id: asked.id, signature });
    assert.equal(forNew.json().reason, 'MISMATCH', forNew.body);
  });

  test('one live verified agent of a name per controller account: 409 CONFLICT', async () => {
    const signer = evmSigner();
    assert.equal((await registerProved(signer, { name: 'Twin' })).statusCode, 201);
    const twin = await registerProved(signer, { name: 'twin' });
    assert.equal(twin.statusCode, 409, twin.body);
    assert.equal(twin.json().error_code, 'CONFLICT');
  });
});

describe('registration, changes, deactivation', () => {
  test('an unknown capability: 400 UNKNOWN_CAPABILITY with the vocabulary', async () => {
    const response = await call('POST', '/api/v1/agents', { ...card({ capabilities: ['nlp.summarization', 'magic.tricks'] }), controller: solanaSigner().did });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().error_code, 'UNKNOWN_CAPABILITY');
    assert.deepEqual(response.json().unknown, ['magic.tricks']);
    assert.ok(response.json().capabilities.includes('audit.smart-contract'));
  });

  test('a bad DID or a bad URL: 400 VALIDATION_FAILED naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...card(), controller: 'did:web:agents.example' }, 'body.controller'],
      [{ ...card(), controller: `did:pkh:solana:${SOLANA_MAINNET}:notbase58!` }, 'body.controller'],
      [{ ...card(), controller: 'did:pkh:eip155:1:0x1234' }, 'body.controller'],
      [{ ...card({ image: 'ftp://agents.example/x.png' }), controller: solanaSigner().did }, 'body.image'],
      [{ ...card({ endpoints: [{ name: 'MCP', endpoint: 'javascript:alert(1)' }] }), controller: solanaSigner().did }, 'body.endpoints.0.endpoint'],
      [{ ...card({ endpoints: [{ name: 'DID', endpoint: 'not a did' }] }), controller: solanaSigner().did }, 'body.endpoints.0.endpoint'],
      [{ ...card({ endpoints: [{ name: 'agentWallet', endpoint: 'eip155:1:0xnothex' }] }), controller: solanaSigner().did }, 'body.endpoints.0.endpoint'],
    ];
    for (const [body, field] of cases) {
      const response = await call('POST', '/api/v1/agents', body);
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error_code, 'VALIDATION_FAILED');
      assert.ok(response.json().fields.includes(field), `${field}: ${response.body}`);
    }
  });

  test('PATCH changes the fields sent; a new controller makes the agent unverified; DELETE deactivates', async () => {
    const signer = solanaSigner();
    const id = (await registerProved(signer)).json().id;
    const patched = await call('PATCH', `/api/v1/agents/${id}`, { description: 'Now in French too', tags: ['legal', 'french'] });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().description, 'Now in French too');
    assert.equal(patched.json().status, 'verified', 'same controller: still verified');
    const moved = await call('PATCH', `/api/v1/agents/${id}`, { controller: evmSigner().did });
    assert.equal(moved.json().status, 'unverified', moved.body);
    const unknown = await call('PATCH', `/api/v1/agents/${id}`, { capabilities: ['magic.tricks'] });
    assert.equal(unknown.json().error_code, 'UNKNOWN_CAPABILITY');
    const deleted = await call('DELETE', `/api/v1/agents/${id}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.equal(deleted.json().status, 'deactivated');
    assert.equal((await call('DELETE', `/api/v1/agents/${id}`)).json().deactivated_at, deleted.json().deactivated_at);
    assert.equal((await call('PATCH', `/api/v1/agents/${id}`, { description: 'x' })).json().error_code, 'CONFLICT');
    assert.equal((await call('GET', `/agents/${id}/registration.json`, undefined, '')).statusCode, 404);
  });

  test("another partner's agent: 404 on every partner route", async () => {
    const id = (await call('POST', '/api/v1/agents', { ...card(), controller: solanaSigner().did })).json().id;
    for (const [method, url, body] of [['GET', `/api/v1/agents/${id}`], ['PATCH', `/api/v1/agents/${id}`, { description: 'x' }], ['DELETE', `/api/v1/agents/${id}`], ['POST', '/api/v1/agents/challenge', { agent_id: id }]] as const) {
      const response = await call(method, url, body, otherKey);
      assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
    }
    assert.equal((await call('GET', `/api/v1/agents/${id}`)).json().status, 'unverified');
  });
});

describe('your agents (GET /api/v1/agents/mine)', () => {
  test('only yours, deactivated and unverified too, newest first; filters by status, capability and name; cursor pages; a capability outside the vocabulary is 400', async () => {
    const ownerKey = (await createPartner(t, { name: 'Lister', scopes: ['agents'] })).api_key;
    const register = async (body: Record<string, unknown>, prove = false) => {
      const signer = evmSigner();
      const asked = prove ? await challenge({ controller: signer.did }, ownerKey) : undefined;
      const proof = asked ? { ownership_proof: { challenge_id: asked.id, signature: await signer.sign(asked.message) } } : {};
      const response = await call('POST', '/api/v1/agents', { ...card(body), controller: signer.did, ...proof }, ownerKey);
      assert.equal(response.statusCode, 201, response.body);
      return response.json().id as string;
    };
    const verified = await register({ name: 'Contract Auditor', capabilities: ['audit.smart-contract'] }, true);
    const unverified = await register({ name: 'Labeler 100%_off', capabilities: ['data.labeling'] });
    const gone = await register({ name: 'Old auditor', capabilities: ['audit.smart-contract'] });
    assert.equal((await call('DELETE', `/api/v1/agents/${gone}`, undefined, ownerKey)).statusCode, 200);
    const foreign = await call('POST', '/api/v1/agents', { ...card(), controller: evmSigner().did }); // another partner's (the file's key)
    assert.equal(foreign.statusCode, 201, foreign.body);
    const mine = async (query = '') => {
      const response = await call('GET', `/api/v1/agents/mine${query}`, undefined, ownerKey);
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { data: { id: string; status: string }[]; next_cursor: string | null };
    };
    assert.deepEqual((await mine()).data.map((agent) => agent.id), [gone, unverified, verified]);
    assert.deepEqual((await mine()).data.map((agent) => agent.status), ['deactivated', 'unverified', 'verified']);
    assert.deepEqual((await mine('?status=verified')).data.map((agent) => agent.id), [verified]);
    assert.deepEqual((await mine('?status=deactivated')).data.map((agent) => agent.id), [gone]);
    assert.deepEqual((await mine('?capability=audit.smart-contract')).data.map((agent) => agent.id), [gone, verified]);
    assert.deepEqual((await mine('?name=AUDITOR')).data.map((agent) => agent.id), [gone, verified]);
    assert.deepEqual((await mine(`?name=${encodeURIComponent('0%_')}`)).data.map((agent) => agent.id), [unverified], 'LIKE wildcards match themselves');
    assert.deepEqual((await mine('?name=_')).data.map((agent) => agent.id), [unverified]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await mine(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((agent) => agent.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [gone, unverified, verified]);
    const unknown = await call('GET', '/api/v1/agents/mine?capability=magic.tricks', undefined, ownerKey);
    assert.equal(unknown.statusCode, 400, unknown.body);
    assert.equal(unknown.json().error_code, 'VALIDATION_FAILED');
    assert.equal((await call('GET', '/api/v1/agents/mine?cursor=nope', undefined, ownerKey)).statusCode, 400);
    assert.equal((await call('GET', '/api/v1/agents/mine', undefined, '')).statusCode, 401);
  });
});

describe('public card and capabilities', () => {
  test('registration.json is the ERC-8004 registration file; /agents/{did}/capabilities lists the verified agents of the controller', async () => {
    const signer = evmSigner();
    const agent = (await registerProved(signer, { capabilities: ['audit.smart-contract', 'code.review'] })).json();
    await call('POST', '/api/v1/agents', { ...card(), controller: signer.did }, otherKey); // claimed, not proved: not listed
    const file = await call('GET', agent.registration_url, undefined, '');
    assert.equal(file.statusCode, 200, file.body);
    assert.equal(file.json().type, 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1');
    assert.equal(file.json().name, agent.name);
    assert.deepEqual(file.json().endpoints, agent.endpoints);
    assert.deepEqual(file.json().supportedTrust, ['reputation']);
    assert.equal(file.json().veridity.verified, true);
    assert.match(file.headers['cache-control'] as string, /public/);
    const capabilities = await call('GET', `/agents/did:pkh:eip155:1:${signer.address.toLowerCase()}/capabilities`, undefined, '');
    assert.equal(capabilities.statusCode, 200, capabilities.body);
    assert.equal(capabilities.json().controller, signer.did);
    assert.deepEqual(capabilities.json().agents.map((a: { id: string }) => a.id), [agent.id]);
    assert.deepEqual(capabilities.json().agents[0].capabilities, ['audit.smart-contract', 'code.review']);
    assert.equal((await call('GET', '/agents/did:web:x/capabilities', undefined, '')).statusCode, 400);
  });
});

describe('the query', () => {
  let partnerKey: string;
  const ids: Record<string, string> = {};
  before(async () => {
    partnerKey = (await createPartner(t, { name: 'Query fixtures', scopes: ['agents'] })).api_key;
    const register = async (label: string, body: Record<string, unknown>, prove: boolean) => {
      const signer = solanaSigner();
      const response = prove ? await registerProved(signer, body) : await call('POST', '/api/v1/agents', { ...card(body), controller: signer.did }, partnerKey);
      assert.equal(response.statusCode, 201, response.body);
      ids[label] = response.json().id;
    };
    const tag = 'qfixture';
    await register('auditor', { name: 'Zyxel contract auditor', description: 'Audits Solidity smart contracts for reentrancy', capabilities: ['audit.smart-contract'], tags: [tag] }, true);
    await register('labeler', { name: 'Image labeler', description: 'Labels images for training data', capabilities: ['data.labeling'], tags: [tag] }, false);
    await register('summarizer', { name: 'Zyxel summarizer', description: 'Summarizes contracts and reports', capabilities: ['nlp.summarization'], tags: [tag] }, true);
    // The reputation model fills these; here, as it would.
    await t.database.pool.query('UPDATE registry_agents SET score = $2, confidence = $3 WHERE id = $1', [ids.auditor, 0.9, 0.8]);
    await t.database.pool.query('UPDATE registry_agents SET score = $2, confidence = $3 WHERE id = $1', [ids.summarizer, 0.6, 0.3]);
  });
  const search = async (query: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/agents?tag=qfixture&${query}` });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { data: { id: string }[]; next_cursor: string | null };
  };
  const names = (page: { data: { id: string }[] }) => page.data.map((agent) => Object.entries(ids).find(([, id]) => id === agent.id)?.[0]);

  test('filters: capability, verified, min_score, min_confidence; recent is newest first', async () => {
    assert.deepEqual(names(await search('')), ['summarizer', 'labeler', 'auditor']);
    assert.deepEqual(names(await search('capability=data.labeling')), ['labeler']);
    assert.deepEqual(names(await search('verified=true')), ['summarizer', 'auditor']);
    assert.deepEqual(names(await search('verified=false')), ['labeler']);
    assert.deepEqual(names(await search('min_score=0.7')), ['auditor']);
    assert.deepEqual(names(await search('min_confidence=0.2')), ['summarizer', 'auditor']);
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/agents?capability=magic.tricks' });
    assert.equal(unknown.json().error_code, 'UNKNOWN_CAPABILITY');
  });

  test('full text over name and description (stemmed), and sort=score with unscored last', async () => {
    assert.deepEqual(names(await search('q=zyxel')), ['summarizer', 'auditor']);
    assert.deepEqual(names(await search('q=contract')), ['summarizer', 'auditor'], 'contracts ~ contract');
    assert.deepEqual(names(await search('q=zyxel%20-reentrancy')), ['summarizer']);
    assert.deepEqual(names(await search('q=labelling%20OR%20labels')), ['labeler']);
    assert.deepEqual(names(await search('sort=score')), ['auditor', 'summarizer', 'labeler']);
  });

  test('cursor pages cover every agent once, in either sort; a foreign cursor is 400', async () => {
    for (const sort of ['recent', 'score']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { id: string }[]; next_cursor: string | null } = await search(`sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((agent) => agent.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(names({ data: seen.map((id) => ({ id })) }), sort === 'score' ? ['auditor', 'summarizer', 'labeler'] : ['summarizer', 'labeler', 'auditor']);
    }
    const first = await search('sort=recent&limit=1');
    const crossed = await t.app.inject({ method: 'GET', url: `/api/v1/agents?sort=score&cursor=${first.next_cursor}` });
    assert.equal(crossed.statusCode, 400, crossed.body);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/agents?cursor=garbage' })).statusCode, 400);
  });

  test('cacheable: Cache-Control and ETag, 304 on If-None-Match; deactivated agents leave the results', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/agents?tag=qfixture' });
    assert.match(first.headers['cache-control'] as string, /^public, max-age=\d+$/);
    const etag = first.headers.etag as string;
    assert.ok(etag);
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/agents?tag=qfixture', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal((await call('DELETE', `/api/v1/agents/${ids.labeler}`, undefined, partnerKey)).statusCode, 200);
    const changed = await t.app.inject({ method: 'GET', url: '/api/v1/agents?tag=qfixture', headers: { 'if-none-match': etag } });
    assert.equal(changed.statusCode, 200);
    assert.deepEqual(names(changed.json()), ['summarizer', 'auditor']);
  });
});
