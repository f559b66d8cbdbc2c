// verifyPrepared cross-checked against snarkjs.groth16.verify on the committed fixtures, with
// the native pairing (when built) and with mcl's: both must give every answer.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import mcl from 'mcl-wasm';
import type * as snarkjs from 'snarkjs';
import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { loadFixtures, snarkjsVerify, terminateSnarkjsCurve, type FixtureProof } from './fixtures/load-fixtures.ts';
import { malformedCases } from './fixtures/malformed-cases.ts';
import {
  g2ToJson,
  proofPoints,
  rerandomise,
  SMALL_TWIST_COFACTOR_PRIMES,
  smallOrderTwistPoint,
  twistPointOutsideSubgroup,
  withPoints,
} from './fixtures/tamper.ts';
import { initMcl } from './mcl-bn254.ts';
import { parseStatement } from './parse-statement.ts';
import { parseVerificationKey } from './parse-verification-key.ts';
import { prepareVerificationKey, type PreparedVerificationKey } from './prepare-verification-key.ts';
import type { VerifyResult } from './types.ts';
import { verifyPrepared } from './verify-prepared.ts';

const { verificationKey, proofs } = loadFixtures();
await initMcl();
const keys = [prepareFixtureKey('auto'), prepareFixtureKey('wasm')] as const;
const outsideSubgroupB = g2ToJson(twistPointOutsideSubgroup());

function prepareFixtureKey(pairing: 'auto' | 'wasm'): PreparedVerificationKey {
  const parsed = parseVerificationKey(verificationKey);
  assert.ok(parsed.ok);
  const prepared = prepareVerificationKey(parsed.value, { arithmetic: pairing });
  assert.ok(prepared.ok);
  return prepared.value;
}

function verifyJson(proof: unknown, publicSignals: unknown): VerifyResult {
  const [native, wasm] = keys.map((key) => {
    const statement = parseStatement(proof, publicSignals, key.nPublic);
    return statement.ok ? verifyPrepared(key, statement.value.proof, statement.value.publicSignals) : statement;
  });
  assert.deepEqual(native, wasm, 'the native and the WebAssembly pairing disagree');
  return native!;
}

/** Every well-formed input must get the same answer from both verifiers. */
async function assertAgreesWithSnarkjs(proof: snarkjs.Groth16Proof, publicSignals: string[], expected: boolean) {
  const ours = verifyJson(proof, publicSignals);
  assert.deepEqual(ours, { ok: true, valid: expected });
  assert.equal(await snarkjsVerify(verificationKey, publicSignals, proof), expected ? 'valid' : 'invalid');
}

/** Proofs that are valid curve points but not a proof of the statement. */
function tamperedVariants(fixture: FixtureProof): Array<[string, snarkjs.Groth16Proof, string[]]> {
  const { proof, public_signals: signals } = fixture;
  const { a, b, c } = proofPoints(proof);
  const bumpSignal = (index: number) =>
    signals.map((signal, i) => (i === index ? ((BigInt(signal) + 1n) % SCALAR_FIELD_ORDER).toString() : signal));
  return [
    ['pi_a negated', withPoints(proof, { a: mcl.neg(a) }), signals],
    ['pi_a doubled', withPoints(proof, { a: mcl.dbl(a) }), signals],
    ['pi_b negated', withPoints(proof, { b: mcl.neg(b) }), signals],
    ['pi_b doubled', withPoints(proof, { b: mcl.dbl(b) }), signals],
    ['pi_c negated', withPoints(proof, { c: mcl.neg(c) }), signals],
    ['pi_c doubled', withPoints(proof, { c: mcl.dbl(c) }), signals],
    ['pi_a and pi_c swapped', withPoints(proof, { a: c, c: a }), signals],
    ...signals.map((_, index): [string, snarkjs.Groth16Proof, string[]] => [`signal ${index} + 1`, proof, bumpSignal(index)]),
    ['signals of another proof', proof, proofs[(proofs.indexOf(fixture) + 1) % proofs.length]!.public_signals],
    ['re-randomised, then pi_c negated', withPoints(rerandomise(fixture, verificationKey), { c: mcl.neg(c) }), signals],
  ];
}

describe('verifyPrepared against snarkjs', () => {
  after(async () => {
    for (const key of keys) key.dispose();
    await terminateSnarkjsCurve();
  });

  it('accepts every fixture proof, as snarkjs does', async () => {
    for (const { proof, public_signals } of proofs) await assertAgreesWithSnarkjs(proof, public_signals, true);
  });

  it('accepts re-randomised proofs, as snarkjs does', async () => {
    for (const fixture of proofs.slice(0, 5)) {
      const rerandomised = rerandomise(fixture, verificationKey);
      assert.notDeepEqual(rerandomised.pi_a, fixture.proof.pi_a);
      await assertAgreesWithSnarkjs(rerandomised, fixture.public_signals, true);
    }
  });

  for (const fixture of proofs.slice(0, 3)) {
    it(`rejects tampered variants of proof ${proofs.indexOf(fixture)}, as snarkjs does`, async () => {
      for (const [name, proof, signals] of tamperedVariants(fixture)) {
        await assert.doesNotReject(assertAgreesWithSnarkjs(proof, signals, false), name);
      }
    });
  }

  describe('malformed input gets a code, never a verdict', () => {
    for (const malformed of malformedCases(proofs[0]!, outsideSubgroupB)) {
      it(`${malformed.name} -> ${malformed.code}`, async (t) => {
        const ours = verifyJson(malformed.proof, malformed.publicSignals);
        assert.deepEqual(ours.ok ? ours : ours.code, malformed.code);
        // Informational: snarkjs also accepts some non-canonical encodings (we are stricter).
        t.diagnostic(`snarkjs: ${await snarkjsVerify(verificationKey, malformed.publicSignals, malformed.proof)}`);
      });
    }
  });

  it('rejects pi_b shifted by a point of small order with POINT_NOT_IN_SUBGROUP (snarkjs: invalid)', async () => {
    const { proof, public_signals } = proofs[2]!;
    for (const order of SMALL_TWIST_COFACTOR_PRIMES) {
      const mauled = withPoints(proof, { b: mcl.add(proofPoints(proof).b, smallOrderTwistPoint(order)) });
      const ours = verifyJson(mauled, public_signals);
      assert.deepEqual(ours.ok ? ours : ours.code, 'POINT_NOT_IN_SUBGROUP');
      assert.equal(await snarkjsVerify(verificationKey, public_signals, mauled), 'invalid');
    }
  });

  it('rejects a key whose beta, gamma or delta is outside the G2 subgroup, with either arithmetic', () => {
    for (const field of ['vk_beta_2', 'vk_gamma_2', 'vk_delta_2'] as const) {
      const parsed = parseVerificationKey({ ...verificationKey, [field]: outsideSubgroupB });
      assert.ok(parsed.ok, 'on the curve, so parsing accepts it');
      for (const arithmetic of ['auto', 'wasm'] as const) {
        const prepared = prepareVerificationKey(parsed.value, { arithmetic });
        assert.deepEqual(prepared.ok ? 'ok' : [prepared.code, prepared.message], ['POINT_NOT_IN_SUBGROUP', `${field}: not in the order-r subgroup of G2`]);
      }
    }
  });
});
