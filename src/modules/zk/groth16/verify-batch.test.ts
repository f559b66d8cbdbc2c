import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import mcl from 'mcl-wasm';
import type * as snarkjs from 'snarkjs';
import { loadFixtures, snarkjsVerify, terminateSnarkjsCurve } from './fixtures/load-fixtures.ts';
import { g2ToJson, proofPoints, rerandomise, twistPointOutsideSubgroup, withPoints } from './fixtures/tamper.ts';
import { loadStatement } from './check-pairing.ts';
import { initMcl } from './mcl-bn254.ts';
import { parsePublicSignals } from './parse-public-signals.ts';
import { parseStatement } from './parse-statement.ts';
import { parseVerificationKey } from './parse-verification-key.ts';
import { prepareVerificationKey, type PreparedVerificationKey } from './prepare-verification-key.ts';
import type { ParsedStatement, VerifyResult } from './types.ts';
import { verifyBatch, weightedBatchHolds } from './verify-batch.ts';
import { verifyPrepared } from './verify-prepared.ts';

const { verificationKey, proofs } = loadFixtures();
await initMcl();
function prepareFixtureKey(pairing: 'auto' | 'wasm'): PreparedVerificationKey {
  const parsed = parseVerificationKey(verificationKey);
  assert.ok(parsed.ok);
  const prepared = prepareVerificationKey(parsed.value, { arithmetic: pairing });
  assert.ok(prepared.ok);
  return prepared.value;
}

type JsonStatement = { proof: snarkjs.Groth16Proof; signals: string[] };

function parsed({ proof, signals }: JsonStatement): ParsedStatement {
  const statement = parseStatement(proof, signals, verificationKey.nPublic);
  assert.ok(statement.ok, statement.ok ? '' : statement.message);
  return statement.value;
}

const valid: JsonStatement[] = proofs.map(({ proof, public_signals }) => ({ proof, signals: public_signals }));
const validResult: VerifyResult = { ok: true, valid: true };
const invalidResult: VerifyResult = { ok: true, valid: false };

// Every case with the native pairing (when built: 'auto') and with mcl's.
for (const pairing of ['auto', 'wasm'] as const) describe(`verifyBatch (pairing: ${pairing})`, () => {
  const key = prepareFixtureKey(pairing);
  after(async () => {
    key.dispose();
    await terminateSnarkjsCurve();
  });

  it('accepts a batch of valid and re-randomised proofs', () => {
    const batch = [...valid, ...valid.slice(0, 5).map((s, i) => ({ ...s, proof: rerandomise(proofs[i]!, verificationKey) }))];
    assert.deepEqual(verifyBatch(key, batch.map(parsed)), batch.map(() => validResult));
  });

  it('accepts an all-valid batch with the combined check alone, and rejects one with a bad proof', () => {
    const loaded = valid.map((statement) => {
      const { proof, publicSignals } = parsed(statement);
      return { proof: ok(loadStatement(key, proof, publicSignals)), publicSignals };
    });
    assert.equal(weightedBatchHolds(key, loaded), true);
    const swapped = { ...loaded[4]!, publicSignals: loaded[5]!.publicSignals };
    assert.equal(weightedBatchHolds(key, [...loaded.slice(0, 4), swapped, ...loaded.slice(5)]), false);
  });

  it('handles the empty batch and a batch of one', () => {
    assert.deepEqual(verifyBatch(key, []), []);
    assert.deepEqual(verifyBatch(key, [parsed(valid[0]!)]), [validResult]);
    assert.deepEqual(verifyBatch(key, [parsed({ ...valid[0]!, signals: valid[1]!.signals })]), [invalidResult]);
  });

  it('gives each proof its own answer when one among many is invalid, agreeing with snarkjs', async () => {
    const batch = valid.map((statement) => ({ ...statement }));
    const { c } = proofPoints(batch[13]!.proof);
    batch[13] = { ...batch[13]!, proof: withPoints(batch[13]!.proof, { c: mcl.neg(c) }) };
    const results = verifyBatch(key, batch.map(parsed));
    assert.deepEqual(results, batch.map((_, i) => (i === 13 ? invalidResult : validResult)));
    for (const [i, { proof, signals }] of batch.entries()) {
      assert.equal(await snarkjsVerify(verificationKey, signals, proof), i === 13 ? 'invalid' : 'valid');
    }
  });

  it('locates a lone invalid proof without bisecting: the batch is decided at once, and only returned', () => {
    for (const invalidAt of [0, 3, 7]) {
      const batch = valid.slice(0, 8).map((statement, i) => (i === invalidAt ? { ...statement, signals: valid[i + 1]!.signals } : statement));
      const heard: number[] = [];
      const results = verifyBatch(key, batch.map(parsed), (indexes) => heard.push(...indexes));
      assert.deepEqual(results, batch.map((_, i): VerifyResult => (i === invalidAt ? invalidResult : validResult)), `invalid at ${invalidAt}`);
      assert.deepEqual(heard, [], 'no part was decided before the rest');
    }
  });

  it('while bisecting (two or more invalid proofs), reports each part as it is decided: every proof once, the valid first half before the rest', () => {
    const invalidAt = [5, 6];
    const batch = valid.slice(0, 8).map((statement, i) => (invalidAt.includes(i) ? { ...statement, signals: valid[i + 1]!.signals } : statement));
    const heard: { indexes: readonly number[]; valid: boolean[] }[] = [];
    const results = verifyBatch(key, batch.map(parsed), (indexes, settled) => heard.push({ indexes, valid: settled.map((result) => result.ok && result.valid) }));
    assert.deepEqual(results, batch.map((_, i) => (invalidAt.includes(i) ? invalidResult : validResult)));
    assert.deepEqual(heard[0], { indexes: [0, 1, 2, 3], valid: [true, true, true, true] }, 'the first half, valid, is told before its neighbours are bisected');
    assert.deepEqual(heard.flatMap(({ indexes }) => indexes).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], 'each proof is told once');
    for (const { indexes, valid: verdicts } of heard) indexes.forEach((index, i) => assert.equal(verdicts[i], !invalidAt.includes(index)));
    const quiet: number[] = [];
    verifyBatch(key, valid.slice(0, 8).map(parsed), (indexes) => quiet.push(...indexes));
    assert.deepEqual(quiet, [], 'a batch that passes at once is only returned');
  });

  it('matches single verification on a mix of valid, invalid and rejected statements', () => {
    const outsider = g2ToJson(twistPointOutsideSubgroup());
    const statements: ParsedStatement[] = [
      parsed(valid[0]!),
      parsed({ ...valid[1]!, signals: valid[2]!.signals }),
      parsed({ ...valid[3]!, proof: { ...valid[3]!.proof, pi_b: outsider } }),
      parsed(valid[4]!),
      { proof: parsed(valid[5]!).proof, publicSignals: ok(parsePublicSignals(valid[5]!.signals.slice(1), 6)) },
      parsed({ ...valid[6]!, proof: withPoints(valid[6]!.proof, { a: mcl.dbl(proofPoints(valid[6]!.proof).a) }) }),
      parsed(valid[7]!),
    ];
    const results = verifyBatch(key, statements);
    assert.deepEqual(
      results,
      statements.map((s) => verifyPrepared(key, s.proof, s.publicSignals)),
    );
    assert.deepEqual(
      results.map((r) => (r.ok ? r.valid : r.code)),
      [true, false, 'POINT_NOT_IN_SUBGROUP', true, 'WRONG_SIGNAL_COUNT', false, true],
    );
  });

  it('finds every invalid proof wherever it sits in the batch (located alone, bisected when several)', () => {
    const patterns = [[0], [19], [0, 19], [7, 8], [0, 1], [18, 19], [3, 4, 5, 11], [1, 3, 5, 7, 9, 11, 13, 15, 17, 19], valid.map((_, i) => i)];
    for (const invalidAt of patterns) {
      const batch: JsonStatement[] = valid.map((statement, i) =>
        invalidAt.includes(i) ? { ...statement, signals: valid[(i + 1) % valid.length]!.signals } : statement,
      );
      assert.deepEqual(
        verifyBatch(key, batch.map(parsed)),
        batch.map((_, i): VerifyResult => (invalidAt.includes(i) ? invalidResult : validResult)),
        `invalid at ${invalidAt.join(', ')}`,
      );
    }
  });

  it('weights the proofs: two invalid proofs whose errors cancel in an unweighted sum are caught', () => {
    // C_0 + X and C_1 - X: the plain product of both equations still balances, so a batch
    // check without independent random weights would accept both.
    const shift = mcl.hashAndMapToG1('batch-cancellation');
    const first = proofPoints(valid[0]!.proof);
    const second = proofPoints(valid[1]!.proof);
    const batch = [
      { ...valid[0]!, proof: withPoints(valid[0]!.proof, { c: mcl.add(first.c, shift) }) },
      { ...valid[1]!, proof: withPoints(valid[1]!.proof, { c: mcl.sub(second.c, shift) }) },
      ...valid.slice(2, 6),
    ];
    assert.deepEqual(verifyBatch(key, batch.map(parsed)), [invalidResult, invalidResult, ...batch.slice(2).map(() => validResult)]);
  });
});

function ok<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.value;
}
