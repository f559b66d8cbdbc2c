import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import mcl, { type G1, type G2 } from 'mcl-wasm';
import * as snarkjs from 'snarkjs';
import {
  BN_SEED,
  FIELD_MODULUS,
  isOnG1Curve,
  isOnG2Curve,
  nonAdjacentForm,
  PSI_X_COEFFICIENT,
  PSI_Y_COEFFICIENT,
  SCALAR_FIELD_ORDER,
  type Fp2,
  type G2Affine,
} from './bn254.ts';
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

const mod = (value: bigint): bigint => ((value % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
const fp2Mul = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])];
const conjugate = (a: Fp2): Fp2 => [a[0], mod(-a[1])];

function g2Affine(point: G2): G2Affine {
  const [x0, x1, y0, y1] = affine(point) as [bigint, bigint, bigint, bigint];
  return { x: [x0, x1], y: [y0, y1] };
}

/** psi from its definition, in bigints: (conj(x) * cx, conj(y) * cy). */
const psi = ({ x, y }: G2Affine): G2Affine => ({
  x: fp2Mul(conjugate(x), PSI_X_COEFFICIENT),
  y: fp2Mul(conjugate(y), PSI_Y_COEFFICIENT),
});

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

  it('derive p and r from the BN seed x, which meets the conditions of the fast G2 subgroup check', () => {
    const x = BN_SEED;
    assert.equal(36n * x ** 4n + 36n * x ** 3n + 24n * x ** 2n + 6n * x + 1n, FIELD_MODULUS);
    assert.equal(36n * x ** 4n + 36n * x ** 3n + 18n * x ** 2n + 6n * x + 1n, SCALAR_FIELD_ORDER);
    // ePrint 2022/348 (BN curves): the check is exact unless x = 4 (mod 13) or x = 92 (mod 97).
    assert.notEqual(x % 13n, 4n);
    assert.notEqual(x % 97n, 92n);
  });

  it('write the seed in non-adjacent form', () => {
    for (const n of [1n, 2n, 3n, 7n, 0b1011_0111n, BN_SEED]) {
      const digits = nonAdjacentForm(n);
      assert.equal(digits[0], 1);
      assert.equal(digits.reduce((value, digit) => 2n * value + BigInt(digit), 0n), n);
      assert.ok(digits.every((digit, i) => digit === 0 || !digits[i + 1]), `no adjacent non-zero digits in ${n}`);
    }
  });

  it('define psi so that it maps the twist to itself and acts on G2 as [p] = [6x^2]', () => {
    const members = [mcl.hashAndMapToG2('psi'), proofPoints(loadFixtures().proofs[1]!.proof).b];
    for (const point of members) {
      const image = psi(g2Affine(point));
      assert.ok(isOnG2Curve(image));
      assert.deepEqual(image, g2Affine(multiplyByInteger(point, 6n * BN_SEED ** 2n)));
      assert.deepEqual(image, g2Affine(multiplyByInteger(point, FIELD_MODULUS % SCALAR_FIELD_ORDER)));
    }
    const outsider = g2Affine(twistPointOutsideSubgroup());
    assert.ok(isOnG2Curve(psi(outsider)), 'psi is an endomorphism of the whole twist, not only of G2');
  });

  it('agree with [r]P == 0 on random members of G2 and on points outside it', () => {
    const fixtureB = proofPoints(loadFixtures().proofs[2]!.proof).b;
    const randomScalar = () => {
      const scalar = new mcl.Fr();
      scalar.setByCSPRNG();
      return scalar;
    };
    const members = [
      ...['m0', 'm1', 'm2', 'm3', 'm4', 'm5'].map((seed) => mcl.hashAndMapToG2(seed)),
      ...[1, 2, 3, 4].map(() => mcl.mul(fixtureB, randomScalar())),
    ];
    const outsiders = [2n, 100n, 1000n, 12345n].map((firstN) => twistPointOutsideSubgroup(firstN));
    const nonMembers = [
      ...outsiders,
      // [r]Q lies in the cofactor part alone; adding a member must not hide it
      ...outsiders.map((point) => timesScalarFieldOrder(point)),
      ...outsiders.map((point, i) => mcl.add(members[i]!, timesScalarFieldOrder(point))),
      mcl.add(members[5]!, outsiders[0]!),
      mcl.neg(outsiders[1]!),
    ];
    for (const point of [...members, ...nonMembers]) {
      assert.ok(!point.isZero() && isOnG2Curve(g2Affine(point)));
      assert.equal(isInG2Subgroup(point), timesScalarFieldOrder(point).isZero());
    }
    assert.ok(members.every((point) => isInG2Subgroup(point)));
    assert.ok(nonMembers.every((point) => !isInG2Subgroup(point)));
  });
});
