import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIELD_MODULUS, SCALAR_FIELD_ORDER } from './bn254.ts';
import { loadFixtures } from './fixtures/load-fixtures.ts';
import { malformedCases } from './fixtures/malformed-cases.ts';
import { parseStatement } from './parse-statement.ts';
import { parsePublicSignals } from './parse-public-signals.ts';
import { parseVerificationKey } from './parse-verification-key.ts';

const { verificationKey, proofs } = loadFixtures();
const nPublic = verificationKey.nPublic;
const validProof = proofs[0]!;

/** Parsing is pure: the G2 subgroup case needs mcl and is covered in verify.test.ts. */
const placeholderB = validProof.proof.pi_b;

describe('parseStatement', () => {
  it('accepts every fixture proof with its signals', () => {
    assert.equal(nPublic, 7);
    for (const { proof, public_signals } of proofs) {
      const parsed = parseStatement(proof, public_signals, nPublic);
      assert.ok(parsed.ok);
      assert.deepEqual(parsed.value.publicSignals, public_signals.map(BigInt));
      assert.equal(parsed.value.proof.a.x, BigInt(proof.pi_a[0]!));
      assert.deepEqual(parsed.value.proof.b.x, [BigInt(proof.pi_b[0]![0]!), BigInt(proof.pi_b[0]![1]!)]);
    }
  });

  it('accepts a proof without protocol and curve fields', () => {
    const { pi_a, pi_b, pi_c } = validProof.proof;
    assert.ok(parseStatement({ pi_a, pi_b, pi_c }, validProof.public_signals, nPublic).ok);
  });

  for (const malformed of malformedCases(validProof, placeholderB)) {
    if (malformed.code === 'POINT_NOT_IN_SUBGROUP') continue;
    it(`rejects ${malformed.name} with ${malformed.code}`, () => {
      const parsed = parseStatement(malformed.proof, malformed.publicSignals, nPublic);
      assert.equal(parsed.ok, false);
      assert.equal(parsed.ok || parsed.code, malformed.code);
    });
  }
});

describe('parsePublicSignals', () => {
  it('accepts the edges of F_r: 0 and r - 1', () => {
    const parsed = parsePublicSignals(['0', (SCALAR_FIELD_ORDER - 1n).toString()], 2);
    assert.ok(parsed.ok);
    assert.deepEqual([...parsed.value], [0n, SCALAR_FIELD_ORDER - 1n]);
  });
});

describe('parseVerificationKey', () => {
  const key = verificationKey as unknown as Record<string, unknown>;
  const codeOf = (json: unknown) => {
    const parsed = parseVerificationKey(json);
    return parsed.ok ? 'ok' : parsed.code;
  };

  it('accepts the fixture key', () => {
    const parsed = parseVerificationKey(verificationKey);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.nPublic, 7);
    assert.equal(parsed.value.ic.length, 8);
  });

  it('accepts an IC point at infinity (a public input with an all-zero column)', () => {
    const ic = [...verificationKey.IC];
    ic[3] = ['0', '1', '0'];
    const parsed = parseVerificationKey({ ...key, IC: ic });
    assert.ok(parsed.ok);
    assert.equal(parsed.value.ic[3], 'infinity');
  });

  it('rejects a wrong shape, protocol, curve or IC length with MALFORMED_KEY', () => {
    assert.equal(codeOf(null), 'MALFORMED_KEY');
    assert.equal(codeOf([key]), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, protocol: 'plonk' }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, curve: 'bls12381' }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, nPublic: 6 }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, nPublic: '7' }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, nPublic: -1 }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, IC: verificationKey.IC.slice(1) }), 'MALFORMED_KEY');
    assert.equal(codeOf({ ...key, vk_gamma_2: verificationKey.vk_gamma_2.slice(0, 2) }), 'MALFORMED_KEY');
  });

  it('rejects bad points with the point codes', () => {
    const [ax, ay] = verificationKey.vk_alpha_1 as [string, string];
    const [[dx0, dx1], dy] = verificationKey.vk_delta_2 as [[string, string], string[]];
    assert.equal(codeOf({ ...key, vk_alpha_1: ['0', '1', '0'] }), 'POINT_AT_INFINITY');
    assert.equal(codeOf({ ...key, vk_beta_2: [['0', '0'], ['1', '0'], ['0', '0']] }), 'POINT_AT_INFINITY');
    assert.equal(codeOf({ ...key, vk_alpha_1: [ax, ((BigInt(ay) + 1n) % FIELD_MODULUS).toString(), '1'] }), 'POINT_NOT_ON_CURVE');
    assert.equal(codeOf({ ...key, vk_delta_2: [[dx1, dx0], dy, ['1', '0']] }), 'POINT_NOT_ON_CURVE');
    assert.equal(codeOf({ ...key, vk_alpha_1: [(BigInt(ax) + FIELD_MODULUS).toString(), ay, '1'] }), 'COORDINATE_NOT_CANONICAL');
  });
});
