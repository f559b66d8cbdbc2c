/**
 * Anchoring end to end on a real PostgreSQL and a real local chain (Anvil): the anchor worker
 * anchors two ledger checkpoints, the certificates each covers become ANCHORED, their PDFs are
 * rendered again with the anchor (the earlier PDF kept and downloadable), a restarted worker sends
 * no second transaction, `noop` anchors nothing, and `veridity verify-certificate --rpc-url`
 * checks the anchor on chain (and fails for a tampered root or another transaction).
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger } from '#platform/logger.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import { createEvmAnchorAdapter } from '#modules/anchoring/evm-anchor-adapter.ts';
import { anchorWorkerKinds } from '#modules/anchoring/worker-kinds.ts';
import { verifyCertificatePdf } from '#modules/certificates/document/index.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { certificatesOnAnchorConfirmed } from '#src/anchoring-certification.ts';
import { ANVIL_DEV_ADDRESS, ANVIL_DEV_KEY, type Anvil, startAnvil } from './support/anvil.ts';
import { erasureReportInput, issueTestCertificate } from './support/issued-certificates.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { manualClock } from './support/webhook-harness.ts';

const clock = manualClock(new Date(Date.now() - 600_000));
const TO_ADDRESS = '0x000000000000000000000000000000000000dead';

let t: TestApp;
let anvil: Anvil;
let partner: Record<string, any>;
let sequencer: LedgerSequencer;
let scratch: string;

before(async () => {
  anvil = await startAnvil();
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-anchoring-'));
  t = await createTestApp({ clock });
  partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence'] });
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock, log: createLogger('silent'), platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });
});
after(async () => {
  await sequencer?.stop();
  await Promise.allSettled([t?.close(), anvil?.stop(), scratch && rm(scratch, { recursive: true, force: true })]);
});

/** A fresh `anchor` worker kind each time, as a restarted process builds it: nothing carried over but the database. */
function anchorKind(adapter: 'noop' | 'evm', confirmations = 2): WorkerKind {
  return anchorWorkerKinds(() => ({
    databaseUrl: t.database.url,
    clock,
    log: createLogger('silent'),
    adapter: async () => (adapter === 'noop' ? { name: 'noop' } : createEvmAnchorAdapter({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_KEY, toAddress: TO_ADDRESS, timeoutMs: 5_000 })),
    confirmations,
    intervalSeconds: 0,
    onConfirmed: certificatesOnAnchorConfirmed,
  }))[0]!;
}

const get = (url: string, apiKey?: string) => t.app.inject({ method: 'GET', url, headers: apiKey ? { 'x-api-key': apiKey } : {} });

async function checkpoint(): Promise<number> {
  clock.advance(5_000);
  const pass = await sequencer.runOnce();
  assert.ok(pass.checkpoint, 'a checkpoint was signed');
  return pass.checkpoint.treeSize;
}

async function issue(): Promise<{ certificateId: string; publicId: string }> {
  return issueTestCertificate(t, clock, erasureReportInput(partner.id));
}

const statusOf = async (id: string) => (await get(`/api/v1/certificates/${id}`, partner.api_key)).json().status as string;

async function trustFiles() {
  const keys = (await get('/api/v1/certificates/keys')).body;
  const ledgerKey = (await get('/api/v1/ledger/key')).body.trim();
  await writeFile(path.join(scratch, 'keys.json'), keys);
  const parsed = JSON.parse(keys);
  return {
    ledgerKey,
    keysFile: path.join(scratch, 'keys.json'),
    trust: {
      certificateKeys: parsed.keys.map((jwk: { kid: string }) => ({ id: jwk.kid, publicKey: createPublicKey({ key: jwk as never, format: 'jwk' }) })),
      ledgerKeys: [ledgerKey],
      pdfSigningCertificates: parsed.pdf_signing_certificates.map((c: { x5c: string[] }) => new Uint8Array(Buffer.from(c.x5c[0]!, 'base64'))),
    },
  };
}

const first: Array<{ certificateId: string; publicId: string }> = [];
const second: Array<{ certificateId: string; publicId: string }> = [];
let firstPdf: Buffer;

test('noop: the anchor worker anchors nothing and certificates stay CERTIFIED_NO_ANCHOR', async () => {
  first.push(await issue(), await issue());
  await checkpoint();
  firstPdf = (await get(`/api/v1/certificates/${first[0]!.certificateId}/certificate.pdf`, partner.api_key)).rawPayload;
  assert.ok(firstPdf.subarray(0, 5).equals(Buffer.from('%PDF-')));
  assert.deepEqual(await anchorKind('noop').runOnce(), { submitted: 0, resent: 0, confirmed: 0, anchoredCertificates: 0 });
  assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM anchors')).rows[0].n, 0);
  for (const { certificateId } of first) assert.equal(await statusOf(certificateId), 'CERTIFIED_NO_ANCHOR');
});

test('evm: the checkpoint is sent once (a restarted worker sends no second transaction), then confirmed and its certificates ANCHORED', async () => {
  const sent = await anchorKind('evm').runOnce();
  assert.deepEqual(sent, { submitted: 1, resent: 0, confirmed: 0, anchoredCertificates: 0 });
  const recorded = (await t.database.pool.query('SELECT tx_hash, status, attempts, checkpoint_root FROM anchors')).rows;
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].status, 'submitted');
  assert.equal(recorded[0].attempts, 1);

  // A restart while the transaction waits for its confirmations: the same row, no new transaction.
  const restarted = await anchorKind('evm').runOnce();
  assert.deepEqual(restarted, { submitted: 0, resent: 0, confirmed: 0, anchoredCertificates: 0 });
  assert.equal(await anvil.transactionCount(ANVIL_DEV_ADDRESS), 1, 'one transaction sent');
  assert.equal(await statusOf(first[0]!.certificateId), 'CERTIFIED_NO_ANCHOR', 'not confirmed deeply enough yet');

  await anvil.mine(1);
  const confirmed = await anchorKind('evm').runOnce();
  assert.deepEqual(confirmed, { submitted: 0, resent: 0, confirmed: 1, anchoredCertificates: 2 });
  const row = (await t.database.pool.query('SELECT tx_hash, status, confirmations, block_number FROM anchors')).rows[0];
  assert.equal(row.status, 'confirmed');
  assert.ok(row.confirmations >= 2);
  for (const { certificateId } of first) {
    const certificate = (await get(`/api/v1/certificates/${certificateId}`, partner.api_key)).json();
    assert.equal(certificate.status, 'ANCHORED');
    assert.equal(certificate.anchor.transaction, row.tx_hash);
    assert.equal(certificate.anchor.block_number, row.block_number);
    assert.equal(certificate.anchor.chain_id, 31337);
    assert.equal(certificate.anchor.checkpoint.root_hash, `0x${recorded[0].checkpoint_root.toString('hex')}`);
  }
});

test('a second checkpoint: anchored by its own transaction, only its new certificates move; the first ones keep their anchor', async () => {
  second.push(await issue());
  await checkpoint();
  assert.equal((await anchorKind('evm').runOnce()).submitted, 1);
  await anvil.mine(1);
  assert.deepEqual(await anchorKind('evm').runOnce(), { submitted: 0, resent: 0, confirmed: 1, anchoredCertificates: 1 });
  assert.equal(await anvil.transactionCount(ANVIL_DEV_ADDRESS), 2, 'one transaction per checkpoint, no more');
  const anchors = (await t.database.pool.query('SELECT tx_hash FROM anchors ORDER BY checkpoint_tree_size')).rows;
  assert.equal(anchors.length, 2);
  assert.equal((await get(`/api/v1/certificates/${second[0]!.certificateId}`, partner.api_key)).json().anchor.transaction, anchors[1].tx_hash);
  assert.equal((await get(`/api/v1/certificates/${first[0]!.certificateId}`, partner.api_key)).json().anchor.transaction, anchors[0].tx_hash);
  // Nothing new to anchor: the worker stays quiet.
  assert.deepEqual(await anchorKind('evm').runOnce(), { submitted: 0, resent: 0, confirmed: 0, anchoredCertificates: 0 });
});

test('PDFs: rendered again with the anchor, the earlier one kept (?version=1, public download); the verify page shows the anchor and both', async () => {
  const { trust } = await trustFiles();
  const { certificateId, publicId } = first[0]!;
  const current = await get(`/api/v1/certificates/${certificateId}/certificate.pdf`, partner.api_key);
  assert.equal(current.statusCode, 200);
  assert.ok(!current.rawPayload.equals(firstPdf), 'a new PDF');
  const checked = await verifyCertificatePdf(current.rawPayload, trust);
  assert.deepEqual(checked.checks, { pdf_signature: 'pass', certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'pass' }, JSON.stringify(checked.failures));
  const anchor = (await get(`/api/v1/certificates/${certificateId}`, partner.api_key)).json().anchor;
  assert.deepEqual(checked.anchor, anchor);
  assert.equal(checked.ledger!.treeSize, anchor.checkpoint.tree_size, 'the receipt is under the anchored checkpoint');

  const kept = await get(`/api/v1/certificates/${certificateId}/certificate.pdf?version=1`, partner.api_key);
  assert.equal(kept.statusCode, 200);
  assert.ok(kept.rawPayload.equals(firstPdf), 'the first PDF, as it was');
  assert.equal((await verifyCertificatePdf(kept.rawPayload, trust)).checks.anchor, 'not_applicable');
  assert.equal((await get(`/api/v1/certificates/${certificateId}/certificate.pdf?version=3`, partner.api_key)).statusCode, 404);

  const pdfs = (await get(`/api/v1/public/certificates/${publicId}`)).json().pdfs;
  assert.deepEqual(pdfs.map((pdf: { version: number; anchored: boolean }) => [pdf.version, pdf.anchored]), [[1, false], [2, true]]);
  const publicKept = await get(pdfs[0].url);
  assert.ok(publicKept.rawPayload.equals(firstPdf));
  assert.ok((await get(`/api/v1/public/certificates/${publicId}/certificate.pdf`)).rawPayload.equals(current.rawPayload), 'without a version: the newest');
  assert.equal((await get(`/api/v1/public/certificates/${second[0]!.publicId}/certificate.pdf`)).statusCode, 404, 'nothing rendered yet: nothing rendered here');

  const page = (await get(`/verify/${publicId}`)).body;
  assert.match(page, /Valid · anchored/);
  assert.ok(page.includes(anchor.transaction));
  assert.match(page, /PDF version 1<\/a><\/dt><dd>before anchoring/);
  assert.match(page, /PDF version 2<\/a><\/dt><dd>with the anchor/);
});

test('veridity verify-certificate --rpc-url checks the anchor on chain; without it, says it did not; a tampered root or another transaction fails', async () => {
  const { ledgerKey, keysFile } = await trustFiles();
  const env = cleanEnv({ VERIDITY_DATA_DIR: path.join(scratch, 'no-data') });
  const { certificateId } = first[0]!;
  const pdfFile = path.join(scratch, 'anchored.pdf');
  await writeFile(pdfFile, (await get(`/api/v1/certificates/${certificateId}/certificate.pdf`, partner.api_key)).rawPayload);
  const verify = (file: string, ...options: string[]) => runToEnd(['verify-certificate', file, '--key', keysFile, '--pdf-cert', keysFile, '--ledger-key', ledgerKey, ...options], env);

  const online = await verify(pdfFile, '--rpc-url', anvil.rpcUrl, '--min-confirmations', '2');
  assert.equal(online.code, 0, online.output);
  assert.match(online.stdout, /^ {2}anchor +pass +checkpoint root in transaction 0x[0-9a-f]{64}, block \d+ of chain 31337, \d+ confirmation/m);

  const offline = await verify(pdfFile);
  assert.equal(offline.code, 0, offline.output);
  assert.match(offline.stdout, /^ {2}anchor +not_checked +anchor NOT checked on chain .*give --rpc-url/m);

  const tooShallow = await verify(pdfFile, '--rpc-url', anvil.rpcUrl, '--min-confirmations', '1000');
  assert.equal(tooShallow.code, 1);
  assert.match(tooShallow.output, /anchor failed: TOO_FEW_CONFIRMATIONS/);

  const bundle = (await get(`/api/v1/certificates/${certificateId}/certificate.json`, partner.api_key)).json();
  assert.equal(bundle.anchor.transaction, (await get(`/api/v1/certificates/${certificateId}`, partner.api_key)).json().anchor.transaction);
  const write = async (name: string, value: unknown) => {
    await writeFile(path.join(scratch, name), JSON.stringify(value));
    return path.join(scratch, name);
  };
  assert.equal((await verify(await write('genuine.json', bundle), '--rpc-url', anvil.rpcUrl)).code, 0);

  const root = bundle.anchor.checkpoint.root_hash as string;
  const tamperedRoot = { ...bundle, anchor: { ...bundle.anchor, checkpoint: { ...bundle.anchor.checkpoint, root_hash: `${root.slice(0, -1)}${root.endsWith('0') ? '1' : '0'}` } } };
  const tampered = await verify(await write('tampered-root.json', tamperedRoot), '--rpc-url', anvil.rpcUrl);
  assert.equal(tampered.code, 1);
  assert.match(tampered.output, /anchor failed: ANCHOR_CHECKPOINT_MISMATCH/);

  const otherTx = (await get(`/api/v1/certificates/${second[0]!.certificateId}`, partner.api_key)).json().anchor.transaction;
  const wrongTx = await verify(await write('wrong-tx.json', { ...bundle, anchor: { ...bundle.anchor, transaction: otherTx } }), '--rpc-url', anvil.rpcUrl);
  assert.equal(wrongTx.code, 1);
  assert.match(wrongTx.output, /anchor failed: DATA_MISMATCH/);

  const unknownTx = await verify(await write('unknown-tx.json', { ...bundle, anchor: { ...bundle.anchor, transaction: `0x${'ab'.repeat(32)}` } }), '--rpc-url', anvil.rpcUrl);
  assert.match(unknownTx.output, /anchor failed: TX_NOT_FOUND/);

  await writeFile(path.join(scratch, 'first.pdf'), firstPdf);
  const before = await verify(path.join(scratch, 'first.pdf'), '--rpc-url', anvil.rpcUrl);
  assert.equal(before.code, 1);
  assert.match(before.output, /anchor failed: NOT_ANCHORED/);
});
