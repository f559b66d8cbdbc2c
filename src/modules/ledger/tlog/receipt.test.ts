import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCheckpoint } from './checkpoint.ts';
import { MemoryHashStore } from './hash-store.ts';
import { ledgerLeaf } from './ledger-leaf.ts';
import { hashLeaf } from './merkle-hash.ts';
import { prepareAppend } from './prepare-append.ts';
import { inclusionProof } from './prove.ts';
import { buildReceipt, parseReceipt, verifyReceipt } from './receipt.ts';
import { generateNoteKey } from './signed-note.ts';
import { verifyConsistency } from './verify-proof.ts';

const ORIGIN = 'veridity.test/ledger';
const LOG_KEY = generateNoteKey(ORIGIN);

function leafFor(i: number, status = 'verified'): Buffer {
  return ledgerLeaf({
    kind: 'zk_proof',
    public_id: `prf_${String(i).padStart(26, '0')}`,
    claim_type: 'age_over_18',
    status,
    public_hash: hashLeaf(Buffer.from(`public inputs ${i}`)).toString('hex'),
    ts: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
  });
}

/** A log built the way the appender will: batches through prepareAppend, then a signed checkpoint. */
async function buildLog(leaves: Buffer[], signerKey = LOG_KEY.signerKey) {
  const store = new MemoryHashStore();
  let treeSize = 0;
  let rootHash: Buffer = Buffer.alloc(0);
  for (const batch of [leaves.slice(0, 10), leaves.slice(10)]) {
    const prepared = await prepareAppend(store, treeSize, batch.map(hashLeaf));
    store.putNodes(prepared.nodes);
    ({ treeSize, rootHash } = prepared);
  }
  const checkpoint = signCheckpoint({ origin: ORIGIN, treeSize, rootHash }, signerKey);
  return { store, treeSize, rootHash, checkpoint };
}

const codeOf = (result: { ok: boolean; code?: string }) => (result.ok ? 'OK' : result.code);

const LEAVES = Array.from({ length: 23 }, (_, i) => leafFor(i));

test('a receipt for every entry verifies offline, with the carried leaf or the caller-supplied one', async () => {
  const log = await buildLog(LEAVES);
  for (let index = 0; index < LEAVES.length; index++) {
    const receipt = buildReceipt({
      index,
      inclusionProof: await inclusionProof(log.store, index, log.treeSize),
      checkpoint: log.checkpoint,
      leaf: LEAVES[index]!,
    });
    const expected = { ok: true, index, treeSize: 23, rootHash: log.rootHash, origin: ORIGIN, leaf: LEAVES[index]! };
    assert.deepEqual(verifyReceipt(receipt, LOG_KEY.verifierKey), expected);
    assert.deepEqual(verifyReceipt(Buffer.from(receipt), [LOG_KEY.verifierKey], LEAVES[index]), expected);
  }
  // Layout per c2sp.org/tlog-proof: header, extra, index, proof lines, blank line, checkpoint verbatim.
  const receipt = buildReceipt({ index: 5, inclusionProof: await inclusionProof(log.store, 5, 23), checkpoint: log.checkpoint, leaf: LEAVES[5]! });
  const lines = receipt.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['c2sp.org/tlog-proof@v1', `extra ${LEAVES[5]!.toString('base64')}`, 'index 5']);
  assert.ok(receipt.endsWith(`\n\n${log.checkpoint}`));
});

test('a receipt against an older checkpoint still verifies; without a carried leaf the caller must supply it', async () => {
  const log = await buildLog(LEAVES);
  const oldRoot = (await prepareAppend(new MemoryHashStore(), 0, LEAVES.slice(0, 12).map(hashLeaf))).rootHash;
  const oldCheckpoint = signCheckpoint({ origin: ORIGIN, treeSize: 12, rootHash: oldRoot }, LOG_KEY.signerKey);
  const receipt = buildReceipt({ index: 11, inclusionProof: await inclusionProof(log.store, 11, 12), checkpoint: oldCheckpoint });
  assert.equal(codeOf(verifyReceipt(receipt, LOG_KEY.verifierKey)), 'MISSING_LEAF');
  assert.equal(codeOf(verifyReceipt(receipt, LOG_KEY.verifierKey, LEAVES[11])), 'OK');
  assert.equal(codeOf(verifyReceipt(receipt, LOG_KEY.verifierKey, LEAVES[10])), 'INCLUSION_MISMATCH');
});

test('a forked log signed by the same key cannot produce a receipt for a leaf it does not contain', async () => {
  const honest = await buildLog(LEAVES);
  // Same size, same key, but entry 7 says "rejected" instead of "verified".
  const forkedLeaves = LEAVES.map((leaf, i) => (i === 7 ? leafFor(7, 'rejected') : leaf));
  const fork = await buildLog(forkedLeaves);
  assert.equal(fork.treeSize, honest.treeSize);
  assert.notDeepEqual(fork.rootHash, honest.rootHash);

  const honestLeaf = LEAVES[7]!;
  // The fork's own proof, dressed up with the honest leaf.
  const forged = buildReceipt({ index: 7, inclusionProof: await inclusionProof(fork.store, 7, fork.treeSize), checkpoint: fork.checkpoint, leaf: honestLeaf });
  assert.equal(codeOf(verifyReceipt(forged, LOG_KEY.verifierKey)), 'INCLUSION_MISMATCH');
  assert.equal(codeOf(verifyReceipt(forged, LOG_KEY.verifierKey, honestLeaf)), 'INCLUSION_MISMATCH');
  // The honest proof presented under the fork's checkpoint.
  const spliced = buildReceipt({ index: 7, inclusionProof: await inclusionProof(honest.store, 7, honest.treeSize), checkpoint: fork.checkpoint, leaf: honestLeaf });
  assert.equal(codeOf(verifyReceipt(spliced, LOG_KEY.verifierKey)), 'INCLUSION_MISMATCH');
  // The fork's genuine receipt for its own leaf verifies in isolation, which is why clients keep
  // checkpoints and check consistency: two roots for one size are proof of the fork.
  const forkReceipt = buildReceipt({ index: 7, inclusionProof: await inclusionProof(fork.store, 7, 23), checkpoint: fork.checkpoint, leaf: forkedLeaves[7]! });
  assert.equal(codeOf(verifyReceipt(forkReceipt, LOG_KEY.verifierKey)), 'OK');
  assert.equal(codeOf(verifyReceipt(forkReceipt, LOG_KEY.verifierKey, honestLeaf)), 'LEAF_MISMATCH');
  assert.equal(codeOf(verifyConsistency({ size1: 23, size2: 23, proof: [], root1: honest.rootHash, root2: fork.rootHash })), 'ROOT_MISMATCH');
});

test('one flipped bit anywhere in a receipt is rejected', async () => {
  const log = await buildLog(LEAVES);
  const receipt = Buffer.from(
    buildReceipt({ index: 13, inclusionProof: await inclusionProof(log.store, 13, log.treeSize), checkpoint: log.checkpoint, leaf: LEAVES[13]! }),
  );
  assert.equal(codeOf(verifyReceipt(receipt, LOG_KEY.verifierKey)), 'OK');
  // With a caller-supplied leaf the carried copy still has to match it, so flips there fail too.
  const extraLine = { begin: receipt.indexOf('\nextra ') + 1, end: receipt.indexOf('\nindex ') };
  const seen = new Set<string>();
  for (let byte = 0; byte < receipt.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const mutated = Buffer.from(receipt);
      mutated[byte]! ^= 1 << bit;
      const carried = verifyReceipt(mutated, LOG_KEY.verifierKey);
      assert.equal(carried.ok, false, `byte ${byte} bit ${bit}`);
      seen.add(codeOf(carried)!);
      if (byte >= extraLine.begin && byte < extraLine.end) {
        assert.equal(verifyReceipt(mutated, LOG_KEY.verifierKey, LEAVES[13]).ok, false, `byte ${byte} bit ${bit} (leaf supplied)`);
      }
    }
  }
  // The flips exercise every layer of the check.
  for (const code of ['MALFORMED_RECEIPT', 'UNKNOWN_KEY', 'BAD_SIGNATURE', 'INCLUSION_MISMATCH']) assert.ok(seen.has(code), code);
});

test('a checkpoint signed by another key is rejected, even under the same name', async () => {
  const impostor = generateNoteKey(ORIGIN);
  const log = await buildLog(LEAVES, impostor.signerKey);
  const receipt = buildReceipt({ index: 0, inclusionProof: await inclusionProof(log.store, 0, log.treeSize), checkpoint: log.checkpoint, leaf: LEAVES[0]! });
  assert.equal(codeOf(verifyReceipt(receipt, LOG_KEY.verifierKey)), 'UNKNOWN_KEY');
  assert.equal(codeOf(verifyReceipt(receipt, impostor.verifierKey)), 'OK');
  assert.equal(codeOf(verifyReceipt(receipt, [LOG_KEY.verifierKey, impostor.verifierKey])), 'OK');
  assert.equal(codeOf(verifyReceipt(receipt, 'not a key')), 'MALFORMED_KEY');
});

test('malformed receipts', async () => {
  const log = await buildLog(LEAVES);
  const proof = await inclusionProof(log.store, 2, log.treeSize);
  const good = buildReceipt({ index: 2, inclusionProof: proof, checkpoint: log.checkpoint, leaf: LEAVES[2]! });
  assert.equal(parseReceipt(good).ok, true);
  const variants = [
    good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'),
    good.replace('index 2', 'index 02'),
    good.replace('index 2', 'index -2'),
    good.replace('index 2\n', ''),
    good.replace(`${proof[0]!.toString('base64')}\n`, `${proof[0]!.toString('base64').replace('=', '')}\n`),
    good.replace(`${proof[0]!.toString('base64')}\n`, `${Buffer.alloc(31).toString('base64')}\n`),
    good.slice(0, good.indexOf('\n\n') + 2),
    good.slice(0, good.indexOf('\n\n')),
    `\ufeff${good}`,
    good.replace('\n\n', `\n${`${proof[0]!.toString('base64')}\n`.repeat(70)}\n`),
  ];
  for (const variant of variants) assert.equal(codeOf(verifyReceipt(variant, LOG_KEY.verifierKey)), 'MALFORMED_RECEIPT', variant.slice(0, 80));
  // An index beyond the checkpointed tree cannot be included in it.
  const beyond = buildReceipt({ index: 23, inclusionProof: proof, checkpoint: log.checkpoint, leaf: LEAVES[2]! });
  assert.equal(codeOf(verifyReceipt(beyond, LOG_KEY.verifierKey)), 'INCLUSION_MISMATCH');
  assert.throws(() => buildReceipt({ index: -1, inclusionProof: proof, checkpoint: log.checkpoint }), RangeError);
  assert.throws(() => buildReceipt({ index: 0, inclusionProof: [Buffer.alloc(1)], checkpoint: log.checkpoint }), RangeError);
  assert.throws(() => buildReceipt({ index: 0, inclusionProof: proof, checkpoint: 'unsigned' }), TypeError);
});
