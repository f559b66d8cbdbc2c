import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import client from 'prom-client';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { auditLedger } from '#modules/ledger/audit-ledger.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { LedgerIntegrityError } from '#modules/ledger/sequence-pending-entries.ts';
import { tryLockSequencer } from '#modules/ledger/sequencer-lock.ts';
import {
  buildReceipt,
  generateNoteKey,
  hashLeaf,
  inclusionProof,
  MemoryHashStore,
  openCheckpoint,
  parseReceipt,
  prepareAppend,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '#modules/ledger/tlog/index.ts';
import { ledgerWorkerKinds } from '#modules/ledger/worker-kinds.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const DOMAIN = 'bank.example';
const encryptionKey = randomBytes(32);
// Behind the real clock, so checkpoints signed here are older than `now` for a child process's sequencer.
let now = new Date(Date.now() - 120_000);
const clock = { now: () => now };
const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

let t: TestApp;
let partner: Record<string, any>;
let other: Record<string, any>;
let sequencer: LedgerSequencer;
let scratch: string;
let prove18: (options?: { domain?: string }) => Promise<{ n: string; body: Record<string, unknown> }>;

before(async () => {
  t = await createTestApp({ clock, bundledCircuits: true, encryptionKey });
  const issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Test Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] });
  assert.equal(registered.statusCode, 201, registered.body);
  const credential = await issueCredential(issuer, attributes());
  partner = await createPartner(t);
  other = await createPartner(t, { name: 'Other Bank' });
  prove18 = async (options = {}) => {
    const n = randomBytes(24).toString('base64url');
    const holder = await prove(credential, 'age_over_18', { nonce: n, verifierDomain: options.domain ?? DOMAIN, param: 18n });
    return { n, body: { claim_type: 'age_over_18', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce: n, verifier_domain: DOMAIN } } };
  };
  sequencer = startLedgerSequencer({
    pool: t.database.pool,
    clock,
    log: createLogger('silent'),
    platformKeys: createPlatformKeys({ db: t.database.db, secretBox: createSecretBox([encryptionKey]) }),
    checkpointSeconds: 5,
    batchSize: 16,
    background: false,
  });
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-ledger-'));
});
after(async () => {
  await sequencer.stop();
  await releaseProver();
  await t.close();
  await rm(scratch, { recursive: true, force: true });
});

const get = (url: string, apiKey?: string) => t.app.inject({ method: 'GET', url, headers: apiKey ? { 'x-api-key': apiKey } : {} });
const verify = (body: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/verify', headers: { 'x-api-key': partner.api_key }, payload: body as object });
const cliEnv = () => cleanEnv({ DATABASE_URL: t.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey.toString('hex'), LOG_LEVEL: 'warn' });

async function verifierKey(): Promise<string> {
  const response = await get('/api/v1/ledger/key');
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'] as string, /^text\/plain/);
  return response.body.trim();
}

async function saveReceipt(name: string, text: string): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, text);
  return file;
}

/** `veridity verify-receipt` as a user runs it: a child process, no database in its environment. */
function verifyReceiptCli(files: string[], keys: string[], options: string[] = []) {
  return runToEnd(['verify-receipt', ...files, ...keys.flatMap((key) => ['--key', key]), ...options], cleanEnv({}));
}

/** Runs `work` with the append-only triggers off, as an operator with superuser rights could. */
async function asSuperuser(work: (sql: (text: string, values?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  await inTransaction(t.database.pool, async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    await work((text, values) => tx.query(text, values));
  });
}

/** Some entries of another kind, appended the way an outcome's transaction does. */
async function appendSynthetic(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await inTransaction(t.database.pool, (tx) =>
      appendLedgerEntry(tx, { kind: 'test_entry', public_id: `tst_${randomBytes(8).toString('hex')}`, claim_type: null, status: 'verified', public_hash: randomBytes(32).toString('hex'), ts: clock.now() }),
    );
  }
}

let verifiedId: string;
let failedId: string;
let receiptText: string;

describe('receipts', () => {
  test('verify -> 202 until sequenced and checkpointed -> a receipt the CLI checks offline', async () => {
    const first = await prove18();
    const response = await verify(first.body);
    assert.equal(response.statusCode, 200, response.body);
    verifiedId = response.json().proof_id;
    assert.equal(response.json().receipt_url, `/api/v1/receipts/${verifiedId}`);

    const queued = await get(response.json().receipt_url, partner.api_key);
    assert.equal(queued.statusCode, 202);
    assert.equal(queued.headers['retry-after'], '1');
    assert.equal(queued.json().waiting_for, 'sequencing');

    // The first pass sequences it and signs the log's first checkpoint, which covers it.
    const pass = await sequencer.runOnce();
    assert.equal(pass.locked, true);
    assert.equal(pass.sequenced, 1);
    assert.equal(pass.checkpoint?.treeSize, 1);

    // A failed outcome is logged too; it waits for the next checkpoint, LEDGER_CHECKPOINT_SECONDS later.
    const wrongDomain = await prove18({ domain: 'evil.example' });
    const failed = await verify(wrongDomain.body);
    assert.equal(failed.statusCode, 422);
    assert.equal(failed.json().error_code, 'BINDING_MISMATCH');
    failedId = failed.json().proof_id;
    assert.equal(failed.json().receipt_url, `/api/v1/receipts/${failedId}`);
    const second = await sequencer.runOnce();
    assert.equal(second.sequenced, 1);
    assert.equal(second.checkpoint, undefined, 'no checkpoint before LEDGER_CHECKPOINT_SECONDS');
    const waiting = await get(`/api/v1/receipts/${failedId}`, partner.api_key);
    assert.equal(waiting.statusCode, 202);
    assert.equal(waiting.json().waiting_for, 'checkpoint');
    advance(5);
    assert.equal((await sequencer.runOnce()).checkpoint?.treeSize, 2);
    assert.equal((await sequencer.runOnce()).checkpoint, undefined, 'no checkpoint when the tree did not grow');

    const receipt = await get(`/api/v1/receipts/${verifiedId}`, partner.api_key);
    assert.equal(receipt.statusCode, 200, receipt.body);
    assert.match(receipt.headers['content-type'] as string, /^text\/plain/);
    receiptText = receipt.body;
    assert.match(receiptText, /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex 0\n/);

    const failedReceipt = await get(`/api/v1/receipts/${failedId}`, partner.api_key);
    assert.equal(failedReceipt.statusCode, 200);
    const files = [await saveReceipt('verified.receipt', receiptText), await saveReceipt('failed.receipt', failedReceipt.body)];
    const checked = await verifyReceiptCli(files, [await verifierKey()]);
    assert.equal(checked.code, 0, checked.output);
    const [verifiedOut, failedOut] = checked.stdout.split(/^(?=\/)/m);
    assert.match(verifiedOut!, /verified\.receipt: receipt OK: entry 0 of veridity\/ledger\/[0-9a-f]{16}, included in its signed checkpoint \(tree size 2\)/);
    assert.match(verifiedOut!, new RegExp(`public_id +${verifiedId}\n`));
    assert.match(verifiedOut!, /status +verified\n/);
    assert.match(failedOut!, /failed\.receipt: receipt OK: entry 1 of /);
    assert.match(failedOut!, new RegExp(`public_id +${failedId}\n`));
    assert.match(failedOut!, /status +failed\n/);
  });

  test("only the partner that verified a proof gets its receipt; unknown ids are 404; no key is 401", async () => {
    assert.equal((await get(`/api/v1/receipts/${verifiedId}`, other.api_key)).statusCode, 404);
    assert.equal((await get('/api/v1/receipts/prf_00000000000000000000000000', partner.api_key)).statusCode, 404);
    assert.equal((await get(`/api/v1/receipts/${verifiedId}`)).statusCode, 401);
  });
});

describe('public ledger endpoints', () => {
  test('checkpoint, entries, inclusion and consistency proofs all check against the signed roots', async () => {
    const key = await verifierKey();
    const firstCheckpoint = await get('/api/v1/ledger/checkpoint');
    // Grow the log over several batches (16 per transaction) and two more checkpoints.
    await appendSynthetic(21);
    await sequencer.runOnce();
    advance(5);
    await sequencer.runOnce();
    await appendSynthetic(19);
    advance(5);
    await sequencer.runOnce();

    const response = await get('/api/v1/ledger/checkpoint');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain/);
    const opened = openCheckpoint(response.body, key);
    assert.ok(opened.ok, JSON.stringify(opened));
    const { treeSize, rootHash } = opened.checkpoint;
    assert.equal(treeSize, 42);

    for (let index = 0; index < treeSize; index++) {
      const entry = await get(`/api/v1/ledger/entries/${index}`);
      assert.equal(entry.statusCode, 200);
      const leaf = Buffer.from(entry.json().leaf, 'base64');
      assert.equal(entry.json().leaf_hash, hashLeaf(leaf).toString('base64'));
      assert.deepEqual(entry.json().entry, JSON.parse(leaf.toString('utf8')));
      const proof = await get(`/api/v1/ledger/proof/inclusion?index=${index}&size=${treeSize}`);
      assert.equal(proof.statusCode, 200);
      const path = proof.json().inclusion_path.map((hash: string) => Buffer.from(hash, 'base64'));
      assert.deepEqual(verifyInclusion({ leafHash: hashLeaf(leaf), index, treeSize, proof: path, rootHash }), { ok: true });
    }
    assert.equal((await get('/api/v1/ledger/entries/0')).json().entry.public_id, verifiedId);

    const earlier = openCheckpoint(firstCheckpoint.body, key);
    assert.ok(earlier.ok);
    const consistency = await get(`/api/v1/ledger/proof/consistency?from=${earlier.checkpoint.treeSize}&to=${treeSize}`);
    assert.equal(consistency.statusCode, 200);
    const proof = consistency.json().consistency_path.map((hash: string) => Buffer.from(hash, 'base64'));
    assert.deepEqual(
      verifyConsistency({ size1: earlier.checkpoint.treeSize, size2: treeSize, proof, root1: earlier.checkpoint.rootHash, root2: rootHash }),
      { ok: true },
    );
  });

  test('the ledger endpoints are in the OpenAPI document', async () => {
    const document = (await get('/openapi.json')).json();
    for (const route of ['/api/v1/receipts/{id}', '/api/v1/ledger/key', '/api/v1/ledger/checkpoint', '/api/v1/ledger/proof/inclusion', '/api/v1/ledger/proof/consistency', '/api/v1/ledger/entries/{index}']) {
      assert.ok(document.paths[route]?.get, route);
    }
  });

  test('out-of-range and malformed queries are 400 naming the field; past the end is 404', async () => {
    const expect400 = async (url: string, field: string) => {
      const response = await get(url);
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json().error_code, 'VALIDATION_FAILED');
      assert.ok(response.json().fields.includes(field), `${url}: ${response.body}`);
    };
    await expect400('/api/v1/ledger/proof/inclusion?index=5&size=5', 'querystring.index');
    await expect400('/api/v1/ledger/proof/inclusion?index=0&size=100000', 'querystring.size');
    await expect400('/api/v1/ledger/proof/inclusion?index=-1&size=3', 'querystring.index');
    await expect400('/api/v1/ledger/proof/inclusion?index=0', 'querystring.size');
    await expect400('/api/v1/ledger/proof/consistency?from=3&to=2', 'querystring.from');
    await expect400('/api/v1/ledger/proof/consistency?from=1&to=100000', 'querystring.to');
    await expect400('/api/v1/ledger/proof/consistency?from=1&to=2&extra=1', 'querystring.extra');
    assert.equal((await get('/api/v1/ledger/entries/100000')).statusCode, 404);
    const trivial = await get('/api/v1/ledger/proof/consistency?from=0&to=3');
    assert.deepEqual(trivial.json(), { from: 0, to: 3, consistency_path: [] });
  });
});

describe('verify-receipt rejects what it must', () => {
  const flipBit = (line: string, byte: number) => {
    const bytes = Buffer.from(line, 'base64');
    bytes[byte]! ^= 0x01;
    return bytes.toString('base64');
  };

  test('one flipped bit anywhere, a forked log, a checkpoint signed by another key', async () => {
    const key = await verifierKey();
    const parsed = parseReceipt(receiptText);
    assert.ok(parsed.ok);
    const genuine = openCheckpoint(parsed.receipt.checkpoint, key);
    assert.ok(genuine.ok);
    const { origin, treeSize } = genuine.checkpoint;
    const receipts: Record<string, string> = { genuine: receiptText };

    // One flipped bit: in the inclusion path, the carried entry, the checkpoint's root, its signature.
    const lines = receiptText.split('\n');
    const rootLine = receiptText.split('\n\n')[0]!.split('\n').length + 3; // proof part, blank line, origin, size, root
    const signatureLine = lines.findLastIndex((line) => line.startsWith('\u2014 '));
    const flipped = (index: number, mutate: (line: string) => string) => lines.map((line, i) => (i === index ? mutate(line) : line)).join('\n');
    receipts['flipped-path'] = flipped(3, (line) => flipBit(line, 7));
    receipts['flipped-entry'] = flipped(1, (line) => `extra ${flipBit(line.slice('extra '.length), 60)}`);
    receipts['flipped-root'] = flipped(rootLine, (line) => flipBit(line, 0));
    receipts['flipped-signature'] = flipped(signatureLine, (line) => line.replace(/[^ ]+$/, (signature) => flipBit(signature, 40)));

    // A fork of the log up to that checkpoint that says the failed proof was verified.
    const leaves: Buffer[] = [];
    for (let index = 0; index < treeSize; index++) leaves.push(Buffer.from((await get(`/api/v1/ledger/entries/${index}`)).json().leaf, 'base64'));
    const failedIndex = leaves.findIndex((leaf) => leaf.toString().includes(failedId));
    const forgedLeaf = Buffer.from(leaves[failedIndex]!.toString().replace('"status":"failed"', '"status":"verified"'));
    leaves[failedIndex] = forgedLeaf;
    const store = new MemoryHashStore();
    const fork = await prepareAppend(store, 0, leaves.map(hashLeaf));
    store.putNodes(fork.nodes);
    const forkPath = await inclusionProof(store, failedIndex, treeSize);
    const forker = generateNoteKey(origin); // the same log name, but the forker's own key
    // Its own receipt, under its own checkpoint; and its path presented under the real checkpoint.
    receipts.fork = buildReceipt({ index: failedIndex, inclusionProof: forkPath, leaf: forgedLeaf, checkpoint: signCheckpoint({ origin, treeSize, rootHash: fork.rootHash }, forker.signerKey) });
    receipts.spliced = buildReceipt({ index: failedIndex, inclusionProof: forkPath, leaf: forgedLeaf, checkpoint: parsed.receipt.checkpoint });

    // The genuine checkpoint re-signed by an impostor's key named like the log, and by another log's key.
    const impostor = generateNoteKey(origin);
    const otherLog = generateNoteKey('veridity/ledger/someone-else');
    receipts.resigned = buildReceipt({ ...parsed.receipt, leaf: parsed.receipt.leaf!, checkpoint: signCheckpoint(genuine.checkpoint, impostor.signerKey) });
    receipts['other-log'] = buildReceipt({ ...parsed.receipt, leaf: parsed.receipt.leaf!, checkpoint: signCheckpoint(genuine.checkpoint, otherLog.signerKey) });

    const files = Object.fromEntries(await Promise.all(Object.entries(receipts).map(async ([name, text]) => [name, await saveReceipt(`${name}.receipt`, text)] as const)));
    const outcomes = async (names: string[], keys: string[]) => {
      const run = await verifyReceiptCli(names.map((name) => files[name]!), keys, ['--json']);
      const byName = Object.fromEntries(run.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((result) => [path.basename(result.file, '.receipt'), result.ok ? 'OK' : result.code]));
      return { code: run.code, byName, output: run.output };
    };
    const [withLogKey, withOtherKeys] = await Promise.all([
      outcomes(['genuine', 'flipped-path', 'flipped-entry', 'flipped-root', 'flipped-signature', 'fork', 'spliced', 'resigned'], [key]),
      outcomes(['genuine', 'other-log', 'fork'], [impostor.verifierKey, otherLog.verifierKey, forker.verifierKey]),
    ]);
    assert.deepEqual(withLogKey.byName, {
      genuine: 'OK',
      'flipped-path': 'INCLUSION_MISMATCH',
      'flipped-entry': 'INCLUSION_MISMATCH',
      'flipped-root': 'BAD_SIGNATURE',
      'flipped-signature': 'BAD_SIGNATURE',
      fork: 'UNKNOWN_KEY',
      spliced: 'INCLUSION_MISMATCH',
      resigned: 'UNKNOWN_KEY',
    }, withLogKey.output);
    assert.equal(withLogKey.code, 1);
    assert.match(withLogKey.output, /7 of 8 receipt\(s\) INVALID/);
    // Only a key one chose to trust makes a difference: the fork verifies under the forker's key (a
    // control that the fork is well-formed); a key named for another log does not vouch for this one.
    assert.deepEqual(withOtherKeys.byName, { genuine: 'UNKNOWN_KEY', 'other-log': 'ORIGIN_MISMATCH', fork: 'OK' }, withOtherKeys.output);
    assert.equal(withOtherKeys.code, 1);

    const single = await verifyReceiptCli([files.spliced!], [key]);
    assert.equal(single.code, 1);
    assert.match(single.output, /veridity: receipt INVALID: INCLUSION_MISMATCH: leaf \d+ is not in the checkpointed tree of size/);
  });
});

describe('verify-ledger and the daily audit', () => {
  const verifyLedger = () => runToEnd(['verify-ledger'], cliEnv());

  test('an intact log passes; an altered leaf (even with its hash redone) or proofs row fails, and passes again once restored', async () => {
    const intact = await verifyLedger();
    assert.equal(intact.code, 0, intact.output);
    assert.match(intact.stdout, /ledger OK/);
    assert.match(intact.stdout, /tree size 42, pending 0, checkpoints 4, outcomes compared with their rows 2 \(kinds without an outcome source: 40 test_entry\)/);

    // The append-only guard stops ordinary writes.
    await assert.rejects(t.database.pool.query(`UPDATE ledger_entries SET leaf = leaf WHERE idx = 1`), /append-only|never changed/);
    await assert.rejects(t.database.pool.query(`DELETE FROM ledger_entries WHERE idx = 1`), /append-only/);

    const original = (await t.database.pool.query('SELECT leaf, leaf_hash FROM ledger_entries WHERE idx = 1')).rows[0];
    const forged = Buffer.from(original.leaf.toString().replace('"status":"failed"', '"status":"verified"'));
    assert.notDeepEqual(forged, original.leaf);

    await asSuperuser((sql) => sql('UPDATE ledger_entries SET leaf = $1 WHERE idx = 1', [forged]).then(() => undefined));
    const leafOnly = await verifyLedger();
    assert.equal(leafOnly.code, 1, leafOnly.output);
    for (const code of ['LEAF_HASH_MISMATCH', 'OUTCOME_MISMATCH', 'CHECKPOINT_MISMATCH', 'TREE_HEAD_MISMATCH']) assert.match(leafOnly.output, new RegExp(code));

    // A careful forger redoes the leaf hash too: the signed checkpoints still give it away.
    await asSuperuser((sql) => sql('UPDATE ledger_entries SET leaf_hash = $1 WHERE idx = 1', [hashLeaf(forged)]).then(() => undefined));
    const rehashed = await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES });
    const messages = rehashed.problems.map((problem) => `${problem.code}: ${problem.message}`);
    assert.equal(rehashed.ok, false);
    assert.ok(!messages.some((m) => m.startsWith('LEAF_HASH_MISMATCH')), messages.join('\n'));
    assert.ok(messages.includes('CHECKPOINT_MISMATCH: checkpoint 2: its root is not the root recomputed from the leaves'), messages.join('\n'));
    assert.ok(!messages.some((m) => m.startsWith('CHECKPOINT_MISMATCH: checkpoint 1:')), 'the checkpoint before the entry still matches');

    await asSuperuser((sql) => sql('UPDATE ledger_entries SET leaf = $1, leaf_hash = $2 WHERE idx = 1', [original.leaf, original.leaf_hash]).then(() => undefined));
    assert.equal((await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES })).ok, true);

    // The outcome row rewritten after the fact: the log still says "failed".
    await t.database.pool.query(`UPDATE proofs SET status = 'verified', failure_code = NULL, verified_at = created_at WHERE id = $1`, [failedId]);
    const rewritten = await verifyLedger();
    assert.equal(rewritten.code, 1, rewritten.output);
    assert.match(rewritten.output, new RegExp(`OUTCOME_MISMATCH: entry 1: zk_proof ${failedId} now reads .*"status":"verified".*, the log says .*"status":"failed"`));

    // The daily job finds the same, logs an alert and sets the metric.
    const registry = new client.Registry();
    const logged: string[] = [];
    const log = createLogger('info', { write: (line: string) => logged.push(line) });
    const [, audit] = ledgerWorkerKinds(() => ({
      databaseUrl: t.database.url,
      clock,
      secretBox: createSecretBox([encryptionKey]),
      log,
      registry,
      queue: () => Promise.reject(new Error('not needed for runOnce')),
      checkpointSeconds: 5,
      outcomeSources: OUTCOME_SOURCES,
    }));
    assert.equal(audit!.name, 'ledger.audit');
    assert.deepEqual(await audit!.runOnce(), { tree_size: 42, checkpoints: 4, problems: 1 });
    assert.match(await registry.metrics(), /veridity_ledger_audit_mismatches 1/);
    assert.ok(logged.some((line) => line.includes('"alert":"ledger_audit"') && line.includes('OUTCOME_MISMATCH')), logged.join(''));

    await t.database.pool.query(`UPDATE proofs SET status = 'failed', failure_code = 'BINDING_MISMATCH', verified_at = NULL WHERE id = $1`, [failedId]);
    assert.deepEqual(await audit!.runOnce(), { tree_size: 42, checkpoints: 4, problems: 0 });
    assert.match(await registry.metrics(), /veridity_ledger_audit_mismatches 0/);
  });

  test('a vanished outcome row, an entry removed from the queue and an altered subtree node are reported; the sequencer stops', async () => {
    await appendSynthetic(1);
    const pendingProof = await prove18();
    const response = await verify(pendingProof.body);
    assert.equal(response.statusCode, 200);
    const pendingId = response.json().proof_id;
    const entry = (await t.database.pool.query(`SELECT * FROM ledger_entries WHERE public_id = $1`, [pendingId])).rows[0];
    assert.equal(entry.idx, null, 'still pending');

    await asSuperuser((sql) => sql('DELETE FROM ledger_entries WHERE public_id = $1', [pendingId]).then(() => undefined));
    await t.database.pool.query(`UPDATE proofs SET id = id || '_gone' WHERE id = $1`, [verifiedId]);
    const node = (await t.database.pool.query('SELECT level, idx, hash FROM ledger_nodes ORDER BY level DESC, idx LIMIT 1')).rows[0];
    await asSuperuser((sql) => sql('UPDATE ledger_nodes SET hash = $3 WHERE level = $1 AND idx = $2', [node.level, node.idx, randomBytes(32)]).then(() => undefined));
    const tampered = await runToEnd(['verify-ledger', '--json'], cliEnv());
    assert.equal(tampered.code, 1, tampered.output);
    const report = JSON.parse(tampered.stdout);
    const codes = report.problems.map((problem: { code: string }) => problem.code);
    assert.deepEqual([...new Set(codes)].sort(), ['NODE_MISMATCH', 'OUTCOME_MISSING', 'OUTCOME_NOT_LOGGED'], tampered.stdout);
    await t.database.pool.query(`UPDATE proofs SET id = $1 WHERE id = $1 || '_gone'`, [verifiedId]);

    // The sequencer refuses to extend or sign a tree whose stored nodes no longer add up.
    const checkpoints = (await t.database.pool.query('SELECT count(*)::int AS n FROM ledger_checkpoints')).rows[0].n;
    advance(5);
    await assert.rejects(sequencer.runOnce(), LedgerIntegrityError);
    assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM ledger_checkpoints')).rows[0].n, checkpoints);

    await asSuperuser(async (sql) => {
      await sql('UPDATE ledger_nodes SET hash = $3 WHERE level = $1 AND idx = $2', [node.level, node.idx, node.hash]);
      await sql('INSERT INTO ledger_entries (id, kind, public_id, leaf, enqueued_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)', [
        entry.id, entry.kind, entry.public_id, entry.leaf, entry.enqueued_at,
      ]);
    });
    const pass = await sequencer.runOnce();
    assert.equal(pass.sequenced, 2);
    assert.equal(pass.checkpoint?.treeSize, 44);
    // Small pages: entries and checkpoints are read a few at a time, with the same verdict.
    const paged = await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES }, { chunkSize: 3 });
    assert.deepEqual({ ok: paged.ok, treeSize: paged.treeSize, checkpoints: paged.checkpoints }, { ok: true, treeSize: 44, checkpoints: 5 });

    // A sequenced entry removed: the log cannot be recomputed past it.
    const removed = (await t.database.pool.query('SELECT * FROM ledger_entries WHERE idx = 30')).rows[0];
    await asSuperuser((sql) => sql('DELETE FROM ledger_entries WHERE idx = 30').then(() => undefined));
    const gap = await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES }, { chunkSize: 8 });
    assert.deepEqual(
      gap.problems.map((problem) => problem.message),
      [
        'no entry at position 30 of a tree of size 44: the log cannot be recomputed past it',
        'checkpoint 42 lies past a missing entry: its root cannot be recomputed',
        'checkpoint 44 lies past a missing entry: its root cannot be recomputed',
      ],
    );
    await asSuperuser((sql) =>
      sql(
        `INSERT INTO ledger_entries (id, kind, public_id, leaf, enqueued_at, idx, leaf_hash, sequenced_at) OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [removed.id, removed.kind, removed.public_id, removed.leaf, removed.enqueued_at, removed.idx, removed.leaf_hash, removed.sequenced_at],
      ).then(() => undefined),
    );
    assert.equal((await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES })).ok, true);
  });
});

describe('sequencer', () => {
  test('one sequencer at a time: a pass finding the lock held skips; concurrent passes never reuse a position', async () => {
    await appendSynthetic(3);
    const blocked = await inTransaction(t.database.pool, async (tx) => {
      assert.equal(await tryLockSequencer(tx), true);
      return sequencer.runOnce();
    });
    assert.deepEqual(blocked, { locked: false, sequenced: 0, checkpoint: undefined });

    await appendSynthetic(40);
    const second = startLedgerSequencer({
      pool: t.database.pool,
      clock,
      log: createLogger('silent'),
      platformKeys: createPlatformKeys({ db: t.database.db, secretBox: createSecretBox([encryptionKey]) }),
      checkpointSeconds: 5,
      batchSize: 7,
      background: false,
    });
    const passes = await Promise.all([sequencer.runOnce(), second.runOnce(), sequencer.runOnce(), second.runOnce()]);
    await second.stop();
    while ((await sequencer.runOnce()).sequenced > 0);
    assert.ok(passes.some((pass) => pass.sequenced > 0));
    const { rows } = await t.database.pool.query('SELECT count(*)::int AS n, count(DISTINCT idx)::int AS positions, max(idx)::int AS last FROM ledger_entries');
    assert.deepEqual(rows[0], { n: 87, positions: 87, last: 86 });
    const head = (await t.database.pool.query('SELECT tree_size FROM ledger_tree_head')).rows[0];
    assert.equal(head.tree_size, 87);
  });

  test('`veridity worker ledger` with WORKER_ONCE=true sequences and checkpoints from its own process', async () => {
    await appendSynthetic(2);
    advance(5);
    const result = await runToEnd(['worker', 'ledger'], { ...cliEnv(), WORKER_ONCE: 'true', LEDGER_CHECKPOINT_SECONDS: '1' });
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').at(-1)!), { ledger: { sequenced: 2, checkpoints: 1 } });
    const latest = await get('/api/v1/ledger/checkpoint');
    const opened = openCheckpoint(latest.body, await verifierKey());
    assert.ok(opened.ok);
    assert.equal(opened.checkpoint.treeSize, 89);
  });
});
