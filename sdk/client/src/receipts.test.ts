// The fixtures are the server's own code (this package's imports map has no #modules): receipts it builds must verify here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReceipt } from '../../../src/modules/ledger/check-receipt.ts';
import { generateNoteKey, ledgerLeaf } from '../../../src/modules/ledger/tlog/index.ts';
import { LEDGER_ORIGIN, receiptFor } from '../../../test/support/certificates.ts';
import { verifyReceipt } from './receipts.ts';

const KEY = generateNoteKey(LEDGER_ORIGIN);
const ENTRY = { kind: 'tee_task', public_id: 'tsk_01m8r4pv8cfw4r37m3efwky7vk', claim_type: null, status: 'verified', public_hash: 'ab'.repeat(32), ts: '2026-03-14T09:26:53.000Z' };
const codeOf = (result: { ok: boolean; code?: string }): string => (result.ok ? 'OK' : String(result.code));

test('a receipt made by the ledger verifies with WebCrypto, naming its entry', async () => {
  const { receipt, index } = await receiptFor(ledgerLeaf(ENTRY), KEY);
  const checked = await verifyReceipt(receipt, `${KEY.verifierKey}\n`, { publicId: ENTRY.public_id });
  assert.ok(checked.ok, JSON.stringify(checked));
  assert.deepEqual(checked.entry, ENTRY);
  assert.equal(checked.origin, LEDGER_ORIGIN);
  assert.equal(checked.index, index);
  assert.equal(codeOf(await verifyReceipt(new TextEncoder().encode(receipt), [generateNoteKey(LEDGER_ORIGIN).verifierKey, KEY.verifierKey])), 'OK');
});

test('refused: another entry, another key, a key named for another log, a leaf that is no ledger entry', async () => {
  const { receipt } = await receiptFor(ledgerLeaf(ENTRY), KEY);
  assert.equal(codeOf(await verifyReceipt(receipt, KEY.verifierKey, { publicId: 'tsk_other' })), 'ENTRY_MISMATCH');
  assert.equal(codeOf(await verifyReceipt(receipt, generateNoteKey(LEDGER_ORIGIN).verifierKey)), 'UNKNOWN_KEY');
  assert.equal(codeOf(await verifyReceipt(receipt, 'not a key')), 'MALFORMED_KEY');
  const elsewhere = generateNoteKey('another.example/ledger');
  assert.equal(codeOf(await verifyReceipt((await receiptFor(ledgerLeaf(ENTRY), elsewhere)).receipt, elsewhere.verifierKey)), 'ORIGIN_MISMATCH');
  const notAnEntry = (await receiptFor(Buffer.from('plain bytes'), KEY)).receipt;
  assert.equal(codeOf(await verifyReceipt(notAnEntry, KEY.verifierKey)), 'MALFORMED_RECEIPT');
});

test('WebCrypto and node:crypto give the same verdict on every one-bit change of a receipt', async () => {
  const bytes = new TextEncoder().encode((await receiptFor(ledgerLeaf(ENTRY), KEY)).receipt);
  const verdicts = new Set<string>();
  for (let byte = 0; byte < bytes.length; byte++) {
    const mutated = bytes.slice();
    mutated[byte]! ^= 0x01;
    const web = codeOf(await verifyReceipt(mutated, KEY.verifierKey));
    const node = codeOf(checkReceipt(mutated, [KEY.verifierKey]));
    assert.equal(web, node, `byte ${byte}`);
    verdicts.add(web);
  }
  assert.ok(verdicts.has('INCLUSION_MISMATCH') && verdicts.has('BAD_SIGNATURE') && verdicts.has('MALFORMED_RECEIPT'), [...verdicts].join());
});
