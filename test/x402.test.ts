/**
 * x402 (issue 14 part 4) end to end through HTTP on a real PostgreSQL: payments made here with
 * generated keys (EVM: EIP-3009 authorizations signed with signEvmPayment, as `veridity registry pay` does; Solana: real SPL TransferChecked
 * transactions built and partially signed with @solana/kit), verified offline by POST
 * /api/v1/x402/settle in both encodings; the facilitator adapter against a local HTTP server; the
 * paid public agent query (402 with requirements, paid, replayed, partner key).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AccountRole, address, appendTransactionMessageInstruction, compileTransaction, createTransactionMessage, generateKeyPair, getAddressFromPublicKey,
  getBase64EncodedWireTransaction, partiallySignTransaction, pipe, setTransactionMessageFeePayer, setTransactionMessageLifetimeUsingBlockhash, type Address, type Blockhash,
} from '@solana/kit';
import { TOKEN_PROGRAM_ADDRESS } from '@x402/svm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { getAddress, type Hex } from 'viem';
import { associatedTokenAccount } from '#modules/x402/verify-svm-payment.ts';
import { resolveNetwork } from '#modules/x402/networks.ts';
import { signEvmPayment } from '#modules/x402/sign-evm-payment.ts';
import { systemClock } from '#platform/clock.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { partnerUsageTotal, usageEventsOf } from './support/usage.ts';

const SOLANA_DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const randomEvmAddress = () => getAddress(`0x${randomBytes(20).toString('hex')}`);
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---- EVM (EIP-3009 on base-sepolia) ----
const EVM_TOKEN = randomEvmAddress();
const EVM_EXTRA = { name: 'USD Coin', version: '2' };
const evmPayTo = randomEvmAddress();

function evmRequirements(version: 1 | 2, overrides: Record<string, unknown> = {}) {
  const common = { scheme: 'exact', payTo: evmPayTo, asset: EVM_TOKEN, maxTimeoutSeconds: 60, extra: EVM_EXTRA };
  return version === 1
    ? { ...common, network: 'base-sepolia', maxAmountRequired: '10000', resource: 'https://api.example/work', description: 'work', mimeType: 'application/json', ...overrides }
    : { ...common, network: 'eip155:84532', amount: '10000', ...overrides };
}

/**
 * A client's payment, made as `veridity registry pay` makes it (signEvmPayment), with what a refusal
 * test changes: another amount or payee, a validity window in the past or future, signed for another
 * network (`signedOn`), naming another network than the requirements (`network`), or tampered after signing.
 */
async function evmPayment(version: 1 | 2, options: { value?: bigint; to?: string; validAfter?: number; validBefore?: number; signedOn?: string; network?: string; tamper?: boolean; nonce?: Hex; privateKey?: Hex } = {}): Promise<Record<string, any>> {
  const now = options.validAfter === undefined ? new Date() : new Date((options.validAfter + 60) * 1000);
  const signed = await signEvmPayment({
    privateKey: options.privateKey ?? generatePrivateKey(), version, now,
    requirements: evmRequirements(version, { ...(options.to ? { payTo: options.to } : {}), ...(options.signedOn ? { network: options.signedOn } : {}) }),
    validForSeconds: options.validBefore === undefined ? 300 : options.validBefore - nowSeconds(),
    ...(options.value === undefined ? {} : { value: options.value }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  });
  assert.ok(signed.ok);
  const payload = signed.value.payload as Record<string, any>;
  if (options.tamper) payload.payload.signature = `${payload.payload.signature.slice(0, 10)}${payload.payload.signature[10] === 'a' ? 'b' : 'a'}${payload.payload.signature.slice(11)}`;
  return version === 1
    ? { ...payload, network: options.network ?? 'base-sepolia' }
    : { ...payload, accepted: evmRequirements(2, options.network ? { network: options.network } : {}) };
}

// ---- Solana (SPL TransferChecked on devnet) ----
let mint: Address;
let solPayTo: Address;
let feePayer: Address;

async function solanaAddress(): Promise<Address> {
  return getAddressFromPublicKey((await generateKeyPair()).publicKey);
}

function solRequirements(version: 1 | 2, overrides: Record<string, unknown> = {}) {
  const common = { scheme: 'exact', payTo: solPayTo, asset: mint, maxTimeoutSeconds: 60, extra: { feePayer } };
  return version === 1
    ? { ...common, network: 'solana-devnet', maxAmountRequired: '5000', resource: 'https://api.example/work', description: 'work', mimeType: 'application/json', ...overrides }
    : { ...common, network: SOLANA_DEVNET, amount: '5000', ...overrides };
}

async function solPayment(version: 1 | 2, options: { amount?: bigint; payTo?: Address; mint?: Address; tamper?: boolean } = {}) {
  const keys = await generateKeyPair();
  const payer = await getAddressFromPublicKey(keys.publicKey);
  const paidMint = options.mint ?? mint;
  const data = new Uint8Array(10);
  data[0] = 12;
  new DataView(data.buffer).setBigUint64(1, options.amount ?? 5000n, true);
  data[9] = 6;
  const transfer = {
    programAddress: address(TOKEN_PROGRAM_ADDRESS),
    accounts: [
      { address: await associatedTokenAccount(payer, paidMint, address(TOKEN_PROGRAM_ADDRESS)), role: AccountRole.WRITABLE },
      { address: paidMint, role: AccountRole.READONLY },
      { address: await associatedTokenAccount(options.payTo ?? solPayTo, paidMint, address(TOKEN_PROGRAM_ADDRESS)), role: AccountRole.WRITABLE },
      { address: payer, role: AccountRole.READONLY_SIGNER },
    ],
    data,
  };
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: awaitBlockhash as Blockhash, lastValidBlockHeight: 1000n }, m),
    (m) => appendTransactionMessageInstruction(transfer, m),
  );
  const signed = await partiallySignTransaction([keys], compileTransaction(message));
  if (options.tamper) (signed.signatures[payer] as Uint8Array)[0]! ^= 1;
  const payload = { transaction: getBase64EncodedWireTransaction(signed) };
  return version === 1 ? { x402Version: 1, scheme: 'exact', network: 'solana-devnet', payload } : { x402Version: 2, accepted: solRequirements(2), payload };
}
let awaitBlockhash: string;

// ---- apps ----
let t: TestApp;
let key: string;
let partnerId: string;
let agentId: string;
let workId: string;

async function registerAgent(app: TestApp, apiKey: string): Promise<string> {
  const account = privateKeyToAccount(generatePrivateKey());
  const response = await app.app.inject({
    method: 'POST', url: '/api/v1/agents', headers: { 'x-api-key': apiKey },
    payload: { name: `Worker ${randomBytes(3).toString('hex')}`, description: 'does work', capabilities: ['nlp.summarization'], controller: `did:pkh:eip155:1:${account.address}` },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

const settle = (app: TestApp, apiKey: string, body: Record<string, unknown>) =>
  app.app.inject({ method: 'POST', url: '/api/v1/x402/settle', headers: { 'x-api-key': apiKey }, payload: body });

async function expectRefused(body: Record<string, unknown>, reason: string) {
  const response = await settle(t, key, body);
  assert.equal(response.statusCode, 422, response.body);
  assert.equal(response.json().error_code, 'PAYMENT_INVALID');
  assert.equal(response.json().reason, reason, response.body);
}

before(async () => {
  mint = await solanaAddress();
  solPayTo = await solanaAddress();
  feePayer = await solanaAddress();
  awaitBlockhash = await solanaAddress();
  t = await createTestApp();
  const partner = await createPartner(t, { name: 'Marketplace', scopes: ['agents'] });
  key = partner.api_key;
  partnerId = partner.id;
  agentId = await registerAgent(t, key);
  // A work record of the agent for settlements to name: backed by an evidence certificate.
  const certificate = await issueTestCertificate(t, systemClock, erasureReportInput(partner.id));
  const recorded = await t.app.inject({ method: 'POST', url: `/api/v1/agents/${agentId}/work`, headers: { 'x-api-key': key }, payload: { evidence_id: certificate.certificateId } });
  assert.equal(recorded.statusCode, 201, recorded.body);
  workId = recorded.json().id;
});
after(async () => t?.close());

describe('POST /api/v1/x402/settle: EVM (EIP-3009)', () => {
  for (const version of [1, 2] as const) {
    test(`v${version}: a valid authorization is recorded once, linked to the agent and work record`, async () => {
      const payment = await evmPayment(version, { value: 12_000n });
      const unknownWork = await settle(t, key, { payment: b64(payment), payment_requirements: evmRequirements(version), agent_id: agentId, work_id: `wrk_${'0'.repeat(26)}` });
      assert.equal(unknownWork.statusCode, 404, 'a work record of another agent, or none, is refused before the payment is spent');
      const body = { payment: b64(payment), payment_requirements: evmRequirements(version), agent_id: agentId, work_id: workId };
      const response = await settle(t, key, body);
      assert.equal(response.statusCode, 201, response.body);
      const settlement = response.json();
      assert.match(settlement.id, /^stl_/);
      assert.equal(settlement.status, 'verified');
      assert.equal(settlement.transaction, null);
      assert.equal(settlement.network, 'eip155:84532');
      assert.equal(settlement.amount, '12000');
      assert.equal(settlement.required_amount, '10000');
      assert.equal(settlement.payer, (payment.payload as any).authorization.from);
      assert.equal(settlement.agent_id, agentId);
      assert.equal(settlement.work_id, workId);
      assert.equal(settlement.x402_version, version);
      await expectRefused(body, 'NONCE_REPLAYED');
      // Billed once to the partner that recorded it, in the settlement's transaction.
      const events = (await usageEventsOf(t.database.pool, partnerId, 'x402_settlement')).filter((event) => event.event_id === `x402_settlement:${settlement.id}`);
      assert.deepEqual(events, [{ event_id: `x402_settlement:${settlement.id}`, source: '/x402', client_id: partnerId, outcome: 'verified', quantity: 1 }]);
    });

    test(`v${version}: refusals: amount, payTo, window, signature, network`, async () => {
      const requirements = evmRequirements(version);
      const refused = async (payment: unknown, reason: string) => expectRefused({ payment: b64(payment), payment_requirements: requirements, agent_id: agentId }, reason);
      await refused(await evmPayment(version, { value: 9_999n }), 'AMOUNT_TOO_LOW');
      await refused(await evmPayment(version, { to: randomEvmAddress() }), 'PAY_TO_MISMATCH');
      await refused(await evmPayment(version, { validBefore: nowSeconds() - 1 }), 'EXPIRED');
      await refused(await evmPayment(version, { validAfter: nowSeconds() + 600 }), 'NOT_YET_VALID');
      await refused(await evmPayment(version, { tamper: true }), 'SIGNATURE_INVALID');
      await refused(await evmPayment(version, { signedOn: version === 1 ? 'base' : 'eip155:8453' }), 'SIGNATURE_INVALID');
      await refused(await evmPayment(version, { network: version === 1 ? 'base' : 'eip155:8453' }), 'NETWORK_MISMATCH');
    });
  }

  test('the same authorization in the other encoding is the same nonce: replayed', async () => {
    const privateKey = generatePrivateKey();
    const nonce = `0x${randomBytes(32).toString('hex')}` as Hex;
    const first = await settle(t, key, { payment: b64(await evmPayment(1, { privateKey, nonce })), payment_requirements: evmRequirements(1), agent_id: agentId });
    assert.equal(first.statusCode, 201, first.body);
    await expectRefused({ payment: b64(await evmPayment(2, { privateKey, nonce })), payment_requirements: evmRequirements(2), agent_id: agentId }, 'NONCE_REPLAYED');
  });

  test('v2: the accepted asset must be the required one; a v1 payment for v2 requirements is malformed', async () => {
    const payment = await evmPayment(2);
    await expectRefused({ payment: b64({ ...payment, accepted: { ...payment.accepted, asset: randomEvmAddress() } }), payment_requirements: evmRequirements(2), agent_id: agentId }, 'ASSET_MISMATCH');
    const response = await settle(t, key, { payment: b64(await evmPayment(1)), payment_requirements: evmRequirements(2), agent_id: agentId });
    assert.equal(response.json().reason, 'MALFORMED');
    await expectRefused({ payment: 'not base64!', payment_requirements: evmRequirements(1), agent_id: agentId }, 'MALFORMED');
  });
});

describe('POST /api/v1/x402/settle: Solana (SPL TransferChecked)', () => {
  for (const version of [1, 2] as const) {
    test(`v${version}: a partially signed transfer is recorded once; refusals`, async () => {
      const requirements = solRequirements(version);
      const body = { payment: b64(await solPayment(version)), payment_requirements: requirements, agent_id: agentId };
      const response = await settle(t, key, body);
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().network, SOLANA_DEVNET);
      assert.equal(response.json().asset, mint);
      assert.equal(response.json().amount, '5000');
      await expectRefused(body, 'NONCE_REPLAYED');
      const refused = async (payment: unknown, reason: string) => expectRefused({ payment: b64(payment), payment_requirements: requirements, agent_id: agentId }, reason);
      await refused(await solPayment(version, { amount: 4999n }), 'AMOUNT_TOO_LOW');
      await refused(await solPayment(version, { payTo: await solanaAddress() }), 'PAY_TO_MISMATCH');
      await refused(await solPayment(version, { mint: await solanaAddress() }), 'ASSET_MISMATCH');
      await refused(await solPayment(version, { tamper: true }), 'SIGNATURE_INVALID');
      await expectRefused({ payment: b64(await solPayment(version)), payment_requirements: solRequirements(version, { network: version === 1 ? 'solana' : 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' }), agent_id: agentId }, 'NETWORK_MISMATCH');
    });
  }
});

describe('POST /api/v1/x402/settle: the agent', () => {
  test('an unknown agent: 404, and the payment stays unspent', async () => {
    const body = { payment: b64(await evmPayment(1)), payment_requirements: evmRequirements(1) };
    const unknown = await settle(t, key, { ...body, agent_id: 'agr_01kkkq3x8m5v0c7d2r9t4w6y1a' });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal((await settle(t, key, { ...body, agent_id: agentId })).statusCode, 201);
  });

  test('a deactivated agent is not paid', async () => {
    const gone = await registerAgent(t, key);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/agents/${gone}`, headers: { 'x-api-key': key } })).statusCode, 200);
    const response = await settle(t, key, { payment: b64(await evmPayment(1)), payment_requirements: evmRequirements(1), agent_id: gone });
    assert.equal(response.statusCode, 404, response.body);
  });

  test('the agent\'s partner is told (another partner recorded it): agent.settlement.recorded in the outbox', async () => {
    const owner = (await createPartner(t, { name: 'Agent owner', scopes: ['agents'], webhook_url: 'https://owner.example/hooks' })).api_key;
    const owned = await registerAgent(t, owner);
    const response = await settle(t, key, { payment: b64(await evmPayment(2)), payment_requirements: evmRequirements(2), agent_id: owned });
    assert.equal(response.statusCode, 201, response.body);
    const { rows } = await t.database.pool.query(`SELECT event_type, payload FROM webhooks_outbox WHERE subject_id = $1`, [response.json().id]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].event_type, 'agent.settlement.recorded');
    assert.equal(rows[0].payload.agent_id, owned);
    assert.equal(rows[0].payload.status, 'verified');
  });

  test('feedback backed by the settlement: the payer\'s own settlement of this agent only', async () => {
    const owner = (await createPartner(t, { name: 'Reviewed agent owner', scopes: ['agents'] })).api_key;
    const owned = await registerAgent(t, owner);
    const paid = await settle(t, key, { payment: b64(await evmPayment(1)), payment_requirements: evmRequirements(1), agent_id: owned });
    assert.equal(paid.statusCode, 201, paid.body);
    const feedback = (apiKey: string, agent: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/agents/${agent}/feedback`, headers: { 'x-api-key': apiKey }, payload: { score: 95, settlement_id: paid.json().id } });
    const given = await feedback(key, owned);
    assert.equal(given.statusCode, 201, given.body);
    assert.deepEqual([given.json().strength, given.json().self], ['settlement', false]);
    assert.equal((await feedback(owner, owned)).json().error_code, 'SETTLEMENT_UNKNOWN', 'another partner\'s settlement');
    assert.equal((await feedback(key, agentId)).json().error_code, 'SETTLEMENT_UNKNOWN', 'a settlement of another agent');
  });
});

describe('facilitator and the paid agent query', () => {
  let paid: TestApp;
  let facilitator: Server;
  const received: any[] = [];
  let failNext = false;
  let paidKey: string;
  let paidPartnerId: string;
  let paidAgent: string;

  before(async () => {
    facilitator = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ url: request.url, body: JSON.parse(body) });
        response.setHeader('content-type', 'application/json');
        if (failNext) {
          failNext = false;
          response.end(JSON.stringify({ success: false, errorReason: 'insufficient_funds', transaction: '', network: 'eip155:84532' }));
          return;
        }
        response.end(JSON.stringify({ success: true, transaction: `0x${randomBytes(32).toString('hex')}`, network: 'eip155:84532' }));
      });
    });
    await new Promise<void>((resolve) => facilitator.listen(0, '127.0.0.1', resolve));
    const port = (facilitator.address() as AddressInfo).port;
    paid = await createTestApp({
      x402: {
        facilitatorUrl: `http://127.0.0.1:${port}`,
        price: { network: resolveNetwork('eip155:84532')!, asset: EVM_TOKEN, amount: 10_000n, payTo: evmPayTo, maxTimeoutSeconds: 60, extra: EVM_EXTRA },
      },
    });
    const paying = await createPartner(paid, { name: 'Paying marketplace', scopes: ['agents'] });
    paidKey = paying.api_key;
    paidPartnerId = paying.id;
    paidAgent = await registerAgent(paid, paidKey);
  });
  after(async () => {
    await paid?.close();
    facilitator?.close();
  });

  test('settle with a facilitator: POSTed to <url>/settle, recorded settled with the transaction', async () => {
    const payment = await evmPayment(2);
    const response = await settle(paid, paidKey, { payment: b64(payment), payment_requirements: evmRequirements(2), agent_id: paidAgent });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().status, 'settled');
    assert.match(response.json().transaction, /^0x[0-9a-f]{64}$/);
    assert.ok(response.json().settled_at);
    const last = received.at(-1);
    assert.equal(last.url, '/settle');
    assert.equal(last.body.x402Version, 2);
    assert.deepEqual(last.body.paymentPayload, payment);
    assert.equal(last.body.paymentRequirements.amount, '10000');
    const events = await usageEventsOf(paid.database.pool, paidPartnerId, 'x402_settlement');
    assert.deepEqual(events.map((event) => [event.event_id, event.outcome]), [[`x402_settlement:${response.json().id}`, 'settled']]);
  });

  test('a facilitator refusal: 502, recorded settle_failed, the nonce stays spent', async () => {
    failNext = true;
    const body = { payment: b64(await evmPayment(1)), payment_requirements: evmRequirements(1), agent_id: paidAgent };
    const response = await settle(paid, paidKey, body);
    assert.equal(response.statusCode, 502, response.body);
    assert.equal(response.json().error_code, 'PAYMENT_SETTLEMENT_FAILED');
    const { rows } = await paid.database.pool.query('SELECT status, settle_error FROM x402_settlements WHERE id = $1', [response.json().settlement_id]);
    assert.equal(rows[0].status, 'settle_failed');
    assert.match(rows[0].settle_error, /insufficient_funds/);
    assert.equal((await settle(paid, paidKey, body)).json().reason, 'NONCE_REPLAYED');
    const billed = await usageEventsOf(paid.database.pool, paidPartnerId, 'x402_settlement');
    assert.equal(billed.some((event) => event.event_id === `x402_settlement:${response.json().settlement_id}`), false, 'a failed settlement is not billed');
  });

  test('GET /api/v1/agents without a key or payment: 402 with v1 body and v2 PAYMENT-REQUIRED header', async () => {
    const response = await paid.app.inject({ method: 'GET', url: '/api/v1/agents' });
    assert.equal(response.statusCode, 402, response.body);
    const body = response.json();
    assert.equal(body.error_code, 'PAYMENT_REQUIRED');
    assert.equal(body.x402Version, 1);
    assert.deepEqual(
      { scheme: body.accepts[0].scheme, network: body.accepts[0].network, maxAmountRequired: body.accepts[0].maxAmountRequired, payTo: body.accepts[0].payTo, asset: body.accepts[0].asset, extra: body.accepts[0].extra },
      { scheme: 'exact', network: 'base-sepolia', maxAmountRequired: '10000', payTo: evmPayTo, asset: EVM_TOKEN, extra: EVM_EXTRA },
    );
    assert.match(body.accepts[0].resource, /\/api\/v1\/agents$/);
    const required = JSON.parse(Buffer.from(String(response.headers['payment-required']), 'base64').toString());
    assert.equal(required.x402Version, 2);
    assert.equal(required.accepts[0].network, 'eip155:84532');
    assert.equal(required.accepts[0].amount, '10000');
  });

  test('paid with X-PAYMENT (v1): 200 with X-PAYMENT-RESPONSE; the same payment again: 402 NONCE_REPLAYED', async () => {
    const header = b64(await evmPayment(1));
    const response = await paid.app.inject({ method: 'GET', url: '/api/v1/agents?limit=5', headers: { 'x-payment': header } });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(Array.isArray(response.json().data));
    const answer = JSON.parse(Buffer.from(String(response.headers['x-payment-response']), 'base64').toString());
    assert.equal(answer.success, true);
    assert.match(answer.transaction, /^0x/);
    assert.equal(answer.network, 'base-sepolia');
    const replay = await paid.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'x-payment': header } });
    assert.equal(replay.statusCode, 402, replay.body);
    assert.equal(replay.json().reason, 'NONCE_REPLAYED');
    const { rows } = await paid.database.pool.query(`SELECT purpose, status FROM x402_settlements WHERE purpose = 'query'`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'settled');
  });

  test('paid with PAYMENT-SIGNATURE (v2): 200 with PAYMENT-RESPONSE; too little: 402 AMOUNT_TOO_LOW', async () => {
    const response = await paid.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'payment-signature': b64(await evmPayment(2)) } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(JSON.parse(Buffer.from(String(response.headers['payment-response']), 'base64').toString()).network, 'eip155:84532');
    const low = await paid.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'payment-signature': b64(await evmPayment(2, { value: 1n })) } });
    assert.equal(low.statusCode, 402);
    assert.equal(low.json().reason, 'AMOUNT_TOO_LOW');
    assert.ok(low.headers['payment-required']);
  });

  test('a partner key is not charged but metered (agent_query); a bad key is 401; an invalid query is refused before any charge', async () => {
    const before = received.length;
    const partner = await paid.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'x-api-key': paidKey } });
    assert.equal(partner.statusCode, 200, partner.body);
    assert.equal(partner.headers['x-payment-response'], undefined);
    const events = await usageEventsOf(paid.database.pool, paidPartnerId, 'agent_query');
    assert.deepEqual(events, [{ event_id: `agent_query:${partner.headers['x-request-id']}`, source: '/agents', client_id: paidPartnerId, outcome: 'answered', quantity: 1 }]);
    // The queries paid with x402 above (anonymous) are metered to nobody.
    assert.equal((await paid.database.pool.query(`SELECT count(*)::int AS n FROM usage_events WHERE product = 'agent_query'`)).rows[0].n, 1);
    assert.equal((await paid.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'x-api-key': 'vk_nope' } })).statusCode, 401);
    const invalid = await paid.app.inject({ method: 'GET', url: '/api/v1/agents?limit=0', headers: { 'x-payment': b64(await evmPayment(1)) } });
    assert.equal(invalid.statusCode, 400);
    assert.equal(received.length, before);
  });

  test('without X402_PAY_TO the query stays free: anonymous, not metered; with a partner key, metered once per query and shown in GET /api/v1/usage', async () => {
    const count = async () => (await t.database.pool.query(`SELECT count(*)::int AS n FROM usage_events WHERE product = 'agent_query'`)).rows[0].n;
    const before = await count();
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/agents' })).statusCode, 200);
    assert.equal(await count(), before, 'an anonymous query is metered to nobody');
    const usageBefore = await partnerUsageTotal(t.app, key, 'agent_query');
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/agents?limit=1', headers: { 'x-api-key': key } });
    assert.equal(first.statusCode, 200, first.body);
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/agents?limit=1', headers: { 'x-api-key': key, 'if-none-match': String(first.headers.etag) } });
    assert.equal(again.statusCode, 304, 'answered from the client\'s cache, still a query');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/agents?limit=0', headers: { 'x-api-key': key } })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { 'x-api-key': 'vk_nope' } })).statusCode, 401);
    const ids = (await usageEventsOf(t.database.pool, partnerId, 'agent_query')).map((event) => event.event_id);
    for (const response of [first, again]) assert.ok(ids.includes(`agent_query:${response.headers['x-request-id']}`), 'the event is named by the request id');
    assert.equal(await count(), before + 2, 'a refused query is not metered');
    assert.equal(await partnerUsageTotal(t.app, key, 'agent_query'), usageBefore + 2);
    const settlements = (await usageEventsOf(t.database.pool, partnerId, 'x402_settlement')).length;
    assert.ok(settlements > 0);
    assert.equal(await partnerUsageTotal(t.app, key, 'x402_settlement'), settlements);
  });
});
