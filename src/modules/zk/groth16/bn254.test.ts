import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import mcl, { type G1, type G2 } from 'mcl-wasm';
import * as snarkjs from 'snarkjs';
import { FIELD_MODULUS, isOnG1Curve, isOnG2Curve, SCALAR_FIELD_ORDER } from './bn254.ts';
import { loadFixtures } from './fixtures/load-fixtures.ts';
import {
  multiplyByInteger,
  proofPoints,
  SMALL_TWIST_COFACTOR_PRIMES,
  smallOrderTwistPoint,
  TWIST_COFACTOR,
  twistPointOutsideSubgroup,
} from './fixtures/tamper.ts';
import { initMcl, isInG2Subgroup } from './mcl-bn254.ts';

/** x -> (x, y) as bigints from mcl's "1 x y" / "1 x0 x1 y0 y1" affine form. */
function affine(point: G1 | G2): bigint[] {
  return mcl.normalize(point).getStr(10).split(' ').slice(1).map(BigInt);
}

/** [r]P computed independently of mcl's isValidOrder. */
const timesScalarFieldOrder = (point: G2): G2 => multiplyByInteger(point, SCALAR_FIELD_ORDER);

describe('BN254 constants and curve checks', () => {
  before(initMcl);

  it('match the moduli built into snarkjs (ffjavascript wasm)', async () => {
    const curve = (await snarkjs.curves.getCurveFromName('bn128', { singleThread: true })) as unknown as {
      q: bigint;
      r: bigint;
      terminate(): Promise<void>;
    };
    try {
      assert.equal(curve.q, FIELD_MODULUS);
      assert.equal(curve.r, SCALAR_FIELD_ORDER);
    } finally {
      await curve.terminate();
    }
  });

  it('match the moduli of mcl BN_SNARK1: (m - 1) + 1 wraps to zero', () => {
    const fp = new mcl.Fp();
    fp.setStr((FIELD_MODULUS - 1n).toString(), 10);
    const one = new mcl.Fp();
    one.setInt(1);
    assert.ok(mcl.add(fp, one).isZero());
    const fr = new mcl.Fr();
    fr.setStr((SCALAR_FIELD_ORDER - 1n).toString(), 10);
    const frOne = new mcl.Fr();
    frOne.setInt(1);
    assert.ok(mcl.add(fr, frOne).isZero());
  });

  it('accept points mcl generates and reject them with y changed', () => {
    for (const seed of ['a', 'b', 'c']) {
      const [x, y] = affine(mcl.hashAndMapToG1(seed)) as [bigint, bigint];
      assert.ok(isOnG1Curve({ x, y }));
      assert.ok(!isOnG1Curve({ x, y: (y + 1n) % FIELD_MODULUS }));
      const [x0, x1, y0, y1] = affine(mcl.hashAndMapToG2(seed)) as [bigint, bigint, bigint, bigint];
      assert.ok(isOnG2Curve({ x: [x0, x1], y: [y0, y1] }));
      assert.ok(!isOnG2Curve({ x: [x0, x1], y: [y0, (y1 + 1n) % FIELD_MODULUS] }));
      assert.ok(!isOnG2Curve({ x: [x1, x0], y: [y0, y1] }), 'component order matters');
    }
  });

  it('decide G2 subgroup membership as [r]P == 0 does', () => {
    const members = [mcl.hashAndMapToG2('x'), proofPoints(loadFixtures().proofs[0]!.proof).b];
    for (const point of members) {
      assert.ok(timesScalarFieldOrder(point).isZero());
      assert.ok(isInG2Subgroup(point));
    }
    const outsider = twistPointOutsideSubgroup();
    const [x0, x1, y0, y1] = affine(outsider) as [bigint, bigint, bigint, bigint];
    assert.ok(isOnG2Curve({ x: [x0, x1], y: [y0, y1] }), 'the outsider is on the twist curve');
    assert.ok(!timesScalarFieldOrder(outsider).isZero());
    assert.ok(!isInG2Subgroup(outsider));
  });

  it('reject G2 points with a small-order component (the twist cofactor has small prime factors)', () => {
    const member = proofPoints(loadFixtures().proofs[0]!.proof).b;
    for (const order of SMALL_TWIST_COFACTOR_PRIMES) {
      assert.equal(TWIST_COFACTOR % order, 0n);
      const small = smallOrderTwistPoint(order);
      assert.ok(!small.isZero() && multiplyByInteger(small, order).isZero(), `a point of order ${order}`);
      const mauled = mcl.add(member, small);
      assert.ok(!timesScalarFieldOrder(mauled).isZero());
      assert.ok(!isInG2Subgroup(small));
      assert.ok(!isInG2Subgroup(mauled));
    }
  });

});
