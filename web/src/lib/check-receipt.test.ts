import { describe, expect, test } from 'vitest';
import { checkReceipt as checkOnServer } from '../../../src/modules/ledger/check-receipt.ts';
import { buildReceipt, generateNoteKey, hashLeaf, inclusionProof, ledgerLeaf, MemoryHashStore, prepareAppend, signCheckpoint } from '../../../src/modules/ledger/tlog/index.ts';
import { checkReceipt } from './check-receipt.ts';

/**
 * The console's receipt check (the SDK's, over WebCrypto, with its step report) against the server's (the same SDK code over node:crypto): receipts built by the ledger's
 * tlog functions, checked by both, must get the same verdict and failure code.
 */

const ORIGIN = 'veridity.test/ledger';
const KEY = generateNoteKey(ORIGIN);

function leafFor(i: number, status = 'verified'): Buffer {
  return ledgerLeaf({
    kind: 'zk_proof',
    public_id: `prf_${String(i).padStart(26, '0')}`,
    claim_type: 'age_over_18',
    status,
    public_hash: hashLeaf(Buffer.from(`public inputs ${i}`)).toString('hex'),
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  });
}

async function buildLog(count: number, signerKey = KEY.signerKey) {
  const leaves = Array.from({ length: count }, (_, i) => leafFor(i));
  const store = new MemoryHashStore();
  const prepared = await prepareAppend(store, 0, leaves.map(hashLeaf));
  store.putNodes(prepared.nodes);
  const checkpoint = signCheckpoint({ origin: ORIGIN, treeSize: prepared.treeSize, rootHash: prepared.rootHash }, signerKey);
  const receiptFor = async (index: number) => buildReceipt({ index, inclusionProof: await inclusionProof(store, index, prepared.treeSize), checkpoint, leaf: leaves[index]! });
  return { leaves, receiptFor };
}

/** Both verdicts, and the browser's report. */
async function bothCheck(receipt: string | Uint8Array, key = KEY.verifierKey) {
  const server = checkOnServer(receipt, [key]);
  const browser = await checkReceipt(receipt, key);
  return { server: server.ok ? 'OK' : server.code, browser: browser.ok ? 'OK' : browser.failure?.code, report: browser };
}

const failedStep = (report: { steps: Array<{ id: string; status: string }> }) => report.steps.find((step) => step.status === 'failed')?.id;

describe('a genuine receipt', () => {
  test('passes every check, for every entry of trees of several shapes', async () => {
    for (const size of [1, 2, 7, 16, 23]) {
      const log = await buildLog(size);
      for (let index = 0; index < size; index++) {
        const { server, browser, report } = await bothCheck(await log.receiptFor(index));
        expect({ server, browser }).toEqual({ server: 'OK', browser: 'OK' });
        expect(report.steps.map((step) => step.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
        expect(report).toMatchObject({ index, treeSize: size, origin: ORIGIN });
        expect(report.entry).toMatchObject({ kind: 'zk_proof', public_id: `prf_${String(index).padStart(26, '0')}`, status: 'verified' });
      }
    }
  });

  test('passes as bytes too (a dropped file), and fails on bytes that are not UTF-8', async () => {
    const receipt = await (await buildLog(3)).receiptFor(1);
    expect((await bothCheck(new TextEncoder().encode(receipt))).browser).toBe('OK');
    const broken = Uint8Array.from([...new TextEncoder().encode(receipt), 0xff]);
    expect(await bothCheck(broken)).toMatchObject({ server: 'MALFORMED_RECEIPT', browser: 'MALFORMED_RECEIPT' });
  });
});

describe('a tampered or foreign receipt is refused, with the code the CLI gives', () => {
  const cases: Array<[string, (receipt: string) => string, string, string]> = [
    ['the entry changed (verified -> rejected)', (r) => r.replace(/^extra .*$/m, `extra ${leafFor(4, 'rejected').toString('base64')}`), 'INCLUSION_MISMATCH', 'inclusion'],
    ["another entry's leaf", (r) => r.replace(/^extra .*$/m, `extra ${leafFor(5).toString('base64')}`), 'INCLUSION_MISMATCH', 'inclusion'],
    ['a proof hash changed', (r) => r.replace(/^index 4\n(.)/m, (_m, c: string) => `index 4\n${c === 'A' ? 'B' : 'A'}`), 'INCLUSION_MISMATCH', 'inclusion'],
    ['the index changed', (r) => r.replace(/^index 4$/m, 'index 5'), 'INCLUSION_MISMATCH', 'inclusion'],
    ['the checkpoint tree size changed', (r) => r.replace(/\n\n(.*)\n9\n/, '\n\n$1\n8\n'), 'BAD_SIGNATURE', 'signature'],
    ['the signature changed', (r) => r.replace(/(\u2014 \S+ .{10})(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`), 'BAD_SIGNATURE', 'signature'],
    ['no entry carried', (r) => r.replace(/^extra .*\n/m, ''), 'MISSING_LEAF', 'inclusion'],
    ['not a tlog-proof', (r) => r.replace('tlog-proof@v1', 'tlog-proof@v2'), 'MALFORMED_RECEIPT', 'format'],
    ['non-canonical base64 in the path', (r) => r.replace(/^index 4\n(.{42})(.)=$/m, (_m, head: string) => `index 4\n${head}B=`), 'MALFORMED_RECEIPT', 'format'],
    ['no checkpoint', (r) => r.slice(0, r.indexOf('\n\n')), 'MALFORMED_RECEIPT', 'format'],
  ];
  for (const [name, tamper, code, step] of cases) {
    test(name, async () => {
      const genuine = await (await buildLog(9)).receiptFor(4);
      const tampered = tamper(genuine);
      expect(tampered).not.toBe(genuine);
      const { server, browser, report } = await bothCheck(tampered);
      expect({ server, browser }).toEqual({ server: code, browser: code });
      expect(failedStep(report)).toBe(step);
    });
  }

  test('signed by another key, or by a key named for another log', async () => {
    const receipt = await (await buildLog(5)).receiptFor(2);
    expect(await bothCheck(receipt, generateNoteKey(ORIGIN).verifierKey)).toMatchObject({ server: 'UNKNOWN_KEY', browser: 'UNKNOWN_KEY' });
    const otherLog = generateNoteKey('elsewhere.test/ledger');
    const signedByOther = await (await buildLog(5, otherLog.signerKey)).receiptFor(2);
    const { server, browser, report } = await bothCheck(signedByOther, otherLog.verifierKey);
    expect({ server, browser }).toEqual({ server: 'ORIGIN_MISMATCH', browser: 'ORIGIN_MISMATCH' });
    expect(failedStep(report)).toBe('origin');
  });

  test('a malformed pinned key', async () => {
    const receipt = await (await buildLog(3)).receiptFor(0);
    const wrongId = KEY.verifierKey.replace(/\+([0-9a-f]{8})\+/, (_m, id: string) => `+${id === '00000000' ? '00000001' : '00000000'}+`);
    for (const key of ['not a key', wrongId]) {
      const { server, browser, report } = await bothCheck(receipt, key);
      expect({ server, browser }).toEqual({ server: 'MALFORMED_KEY', browser: 'MALFORMED_KEY' });
      expect(failedStep(report)).toBe('key');
    }
  });
});
