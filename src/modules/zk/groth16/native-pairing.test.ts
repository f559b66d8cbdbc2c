// The native pairing product check against mcl's group arithmetic: bilinearity with random
// scalars, non-degeneracy, the point at infinity, and refusals of input mcl would never produce;
// its G2 subgroup check against mcl-bn254.ts's on points in and outside the subgroup; its G1
// multi-scalar multiplication against mcl's, edge cases included. Every case runs against both
// builds: the one the verifier loads and the portable one (the carry arithmetic of other machines).
// (verify.test.ts and verify-batch.test.ts check whole Groth16 verifications both ways.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import mcl, { type G1, type G2 } from 'mcl-wasm';
import { FIELD_MODULUS, SCALAR_FIELD_ORDER } from './bn254.ts';
import { SMALL_TWIST_COFACTOR_PRIMES, smallOrderTwistPoint, twistPointOutsideSubgroup } from './fixtures/tamper.ts';
import { initMcl, isInG2Subgroup } from './mcl-bn254.ts';
import { ADDON_FILE, loadNativePairing, nativePairing, PAIR_BYTES, PORTABLE_ADDON_FILE, scalarBytes, type NativePairing } from './native-pairing.ts';

await initMcl();

/**
 * Writes a point's affine coordinates as 32-byte big-endian field elements at `offset` (G1: x, y;
 * G2: x.c0, x.c1, y.c0, y.c1), the layout of native-pairing.ts; the point at infinity as zeros.
 */
function writeAffine(point: G1 | G2, out: Uint8Array, offset: number): void {
  const fields = mcl.normalize(point).getStr(16).split(' ');
  if (fields[0] !== '1') return; // "0": the identity, left as zeros
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 1; i < fields.length; i++) bytes.write(fields[i]!.padStart(64, '0'), offset + (i - 1) * 32, 32, 'hex');
}
const builds: Array<[string, string, NativePairing | undefined]> = [
  ['the build the verifier loads', ADDON_FILE, nativePairing()],
  ['the portable build', PORTABLE_ADDON_FILE, loadNativePairing(PORTABLE_ADDON_FILE)],
];

function pairs(...points: Array<[G1, G2]>): Uint8Array {
  const out = new Uint8Array(points.length * PAIR_BYTES);
  points.forEach(([p, q], i) => {
    writeAffine(p, out, i * PAIR_BYTES);
    writeAffine(q, out, i * PAIR_BYTES + 64);
  });
  return out;
}

function randomScalar(): mcl.Fr {
  const fr = new mcl.Fr();
  fr.setByCSPRNG();
  return fr;
}

const P = mcl.hashAndMapToG1(randomBytes(16).toString('hex'));
const Q = mcl.hashAndMapToG2(randomBytes(16).toString('hex'));

for (const [build, file, native] of builds) {
  describe(`native BN254 pairing product check (${build})`, () => {
    it('is built on this machine (npm ci builds it where a C compiler is present)', () => {
      assert.ok(native, `${file} is missing: run npm ci (needs python3, make and a C compiler)`);
    });

    it('e(aP, bQ) e(-abP, Q) == 1 and e(aP, Q) e(P, -aQ) == 1 for random a, b; a wrong exponent is not 1', () => {
      for (let round = 0; round < 5; round++) {
        const [a, b] = [randomScalar(), randomScalar()];
        assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, b)], [mcl.neg(mcl.mul(P, mcl.mul(a, b))), Q])), true);
        assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), Q], [P, mcl.neg(mcl.mul(Q, a))])), true);
        assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, b)], [mcl.neg(mcl.mul(P, mcl.add(mcl.mul(a, b), a))), Q])), false);
      }
    });

    it('matches mcl: the product of pairings is 1 exactly when mcl says so', () => {
      const [a, b] = [randomScalar(), randomScalar()];
      const points: Array<[G1, G2]> = [[mcl.mul(P, a), Q], [P, mcl.mul(Q, b)], [mcl.neg(mcl.mul(P, mcl.add(a, b))), Q]];
      const mclOne = (list: Array<[G1, G2]>) => list.map(([p, q]) => mcl.pairing(p, q)).reduce((x, y) => mcl.mul(x, y)).isOne();
      // e(aP, Q) e(P, bQ) e(-(a + b)P, Q) = e(P, Q)^(a + b - a - b) = 1
      assert.equal(mclOne(points), true);
      assert.equal(native!.productIsOne(pairs(...points)), true);
      const broken: Array<[G1, G2]> = [...points.slice(0, 2), [mcl.neg(mcl.mul(P, a)), Q]];
      assert.equal(mclOne(broken), false);
      assert.equal(native!.productIsOne(pairs(...broken)), false);
    });

    it('a Miller loop computed once is a factor of later checks: the same verdicts as its pairs checked in the product', () => {
      const [a, b] = [randomScalar(), randomScalar()];
      const fixed = pairs([mcl.neg(mcl.mul(P, mcl.mul(a, b))), Q]);
      const loop = native!.millerLoop(fixed);
      assert.equal(loop.length, 384);
      // e(aP, bQ) e(-abP, Q) = 1, with the second pair as the factor; a wrong first pair is not 1
      assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, b)]), loop), true);
      assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, a)]), loop), false);
      assert.equal(native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, b)])), false, 'without the factor');
      assert.equal(native!.productIsOne(new Uint8Array(0), native!.millerLoop(new Uint8Array(0))), true, 'no pairs at all');
      assert.throws(() => native!.productIsOne(fixed, loop.subarray(1)), /384 bytes/);
    });

    it('hands out the product it checked: a power of it is found (findPower), a quotient of two is the product over the rest', () => {
      const a = randomScalar();
      const product = (...points: Array<[G1, G2]>) => {
        const out = new Uint8Array(384);
        const isOne = native!.productIsOne(pairs(...points), undefined, undefined, out);
        return { isOne, out };
      };
      const base = product([mcl.mul(P, a), Q]);
      const five = new mcl.Fr();
      five.setInt(5);
      const fifth = product([mcl.mul(P, mcl.mul(a, five)), Q]);
      assert.equal(base.isOne, false);
      assert.equal(native!.findPower(base.out, base.out, 8), 1);
      assert.equal(native!.findPower(base.out, fifth.out, 8), 5, 'e(5aP, Q) = e(aP, Q)^5');
      assert.equal(native!.findPower(base.out, fifth.out, 4), 0, 'not within 4');
      assert.equal(native!.findPower(fifth.out, base.out, 8), 0);
      assert.equal(native!.findPower(base.out, product([mcl.neg(mcl.mul(P, a)), Q]).out, 8), 0, 'the inverse is no small power');
      const both = product([mcl.mul(P, a), Q], [P, mcl.mul(Q, a)]);
      const quotient = new Uint8Array(384);
      assert.equal(native!.productQuotient(both.out, base.out, quotient), false);
      assert.deepEqual(quotient, product([P, mcl.mul(Q, a)]).out, 'e(aP, Q) e(P, aQ) / e(aP, Q) = e(P, aQ)');
      assert.equal(native!.productQuotient(base.out, base.out, quotient), true);
      assert.deepEqual(quotient, product().out, 'x / x is the empty product, 1');
      assert.throws(() => native!.productQuotient(base.out, base.out, quotient.subarray(1)), /384-byte/);
      assert.throws(() => native!.findPower(base.out.subarray(1), base.out, 2), /384-byte/);
    });

    it("a G2 point's precomputed lines pair as the point itself: random products, with and without a factor, a fixed point at infinity", () => {
      const g1Points = (...points: G1[]) => {
        const out = new Uint8Array(points.length * 64);
        points.forEach((point, i) => writeAffine(point, out, i * 64));
        return out;
      };
      const g2 = (point: G2) => pairs([P, point]).subarray(64);
      for (let round = 0; round < 3; round++) {
        const [a, b, c, a1] = [randomScalar(), randomScalar(), randomScalar(), randomScalar()];
        // Fixed pairs with bQ and cQ; e(aP, bcQ) = e(acP, bQ) = e(abP, cQ).
        const lines = Buffer.concat([native!.precomputeLines(g2(mcl.mul(Q, b))), native!.precomputeLines(g2(mcl.mul(Q, c)))]);
        const withAPbcQ = (first: G1, second: G1) => native!.productIsOne(pairs([mcl.mul(P, a), mcl.mul(Q, mcl.mul(b, c))]), undefined, { points: g1Points(first, second), lines });
        assert.equal(withAPbcQ(mcl.neg(mcl.mul(P, mcl.mul(a, c))), new mcl.G1()), true, 'e(aP, bcQ) e(-acP, bQ) = 1 (the second fixed point at infinity)');
        assert.equal(withAPbcQ(new mcl.G1(), mcl.neg(mcl.mul(P, mcl.mul(a, b)))), true, 'e(aP, bcQ) e(-abP, cQ) = 1 (the first at infinity)');
        assert.equal(withAPbcQ(mcl.neg(mcl.mul(P, a)), new mcl.G1()), false, 'e(aP, bcQ) e(-aP, bQ) is not 1');
        const a2 = mcl.sub(a, a1);
        assert.equal(withAPbcQ(mcl.neg(mcl.mul(P, mcl.mul(a1, c))), mcl.neg(mcl.mul(P, mcl.mul(a2, b)))), true, 'e(aP, bcQ) e(-a1 cP, bQ) e(-a2 bP, cQ) = 1 with a1 + a2 = a');
        // With a factor and no computed pairs: e(P, Q) e(-P / b, bQ) = 1.
        const one = new mcl.Fr();
        one.setInt(1);
        const loop = native!.millerLoop(pairs([P, Q]));
        const withFactor = (first: G1) => native!.productIsOne(new Uint8Array(0), loop, { points: g1Points(first, new mcl.G1()), lines });
        assert.equal(withFactor(mcl.neg(mcl.mul(P, mcl.div(one, b)))), true);
        assert.equal(withFactor(mcl.neg(P)), false);
      }
      assert.throws(() => native!.productIsOne(new Uint8Array(0), undefined, { points: g1Points(P), lines: new Uint8Array(10) }), /precomputed lines/);
      assert.throws(() => native!.precomputeLines(g2(Q).subarray(1)), /128-byte G2 point/);
    });

    it('a single non-trivial pairing is not 1 (non-degenerate); the point at infinity pairs to 1', () => {
      assert.equal(native!.productIsOne(pairs([P, Q])), false);
      assert.equal(native!.productIsOne(pairs([new mcl.G1(), Q])), true);
      assert.equal(native!.productIsOne(pairs([P, new mcl.G2()])), true);
      assert.equal(native!.productIsOne(new Uint8Array(0)), true);
    });

    it('refuses input mcl never produces: a coordinate >= p, a point off the curve, a ragged length', () => {
      const good = pairs([P, Q]);
      const nonCanonical = good.slice();
      Buffer.from(nonCanonical.buffer).write(FIELD_MODULUS.toString(16).padStart(64, '0'), 0, 32, 'hex');
      assert.throws(() => native!.productIsOne(nonCanonical), /not-canonical/);
      const offCurve = good.slice();
      offCurve[63] = offCurve[63]! ^ 1;
      assert.throws(() => native!.productIsOne(offCurve), /not-on-curve/);
      const offTwist = good.slice();
      offTwist[191] = offTwist[191]! ^ 1;
      assert.throws(() => native!.productIsOne(offTwist), /not-on-curve/);
      assert.throws(() => native!.productIsOne(good.subarray(1)), /192-byte pairs/);
    });

    it('tells G2 points from twist points outside the subgroup, as the mcl check does', () => {
      const g2 = (point: G2) => {
        const pair = new Uint8Array(PAIR_BYTES);
        writeAffine(point, pair, 64);
        return pair.subarray(64);
      };
      const cases: Array<[string, G2]> = [
        ['a random G2 point', mcl.mul(Q, randomScalar())],
        ['its negation', mcl.neg(Q)],
        ['a twist point outside the subgroup', twistPointOutsideSubgroup()],
        ...SMALL_TWIST_COFACTOR_PRIMES.map((order): [string, G2] => [`a G2 point plus one of order ${order}`, mcl.add(Q, smallOrderTwistPoint(order))]),
      ];
      for (const [name, point] of cases) assert.equal(native!.inG2Subgroup(g2(point)), isInG2Subgroup(point), name);
      assert.equal(native!.inG2Subgroup(g2(Q)), true);
      assert.equal(native!.inG2Subgroup(g2(twistPointOutsideSubgroup())), false);
    });
  });

  describe(`native G1 multi-scalar multiplication (${build})`, () => {
    const g1 = (...points: G1[]) => {
      const out = new Uint8Array(points.length * 64);
      points.forEach((point, i) => writeAffine(point, out, i * 64));
      return out;
    };
    const msm = (points: G1[], scalars: bigint[]) => {
      const out = new Uint8Array(64).fill(0xee); // overwritten, infinity included
      native!.multiScalarMul(g1(...points), scalarBytes(scalars), out);
      return Buffer.from(out).toString('hex');
    };
    const expected = (points: G1[], scalars: bigint[]) => {
      // mcl reduces its scalars mod r; every point here is in the order-r group G1
      const sum = points.reduce((acc, point, i) => mcl.add(acc, mcl.mul(point, toFr(scalars[i]! % SCALAR_FIELD_ORDER))), new mcl.G1());
      return Buffer.from(g1(sum)).toString('hex');
    };
    const toFr = (value: bigint) => {
      const fr = new mcl.Fr();
      fr.setStr(value.toString(16), 16);
      return fr;
    };
    const random = (bytes: number) => BigInt(`0x${randomBytes(bytes).toString('hex')}`);

    it('matches mcl on random points with 128-bit and full-size scalars', () => {
      for (const n of [1, 2, 5, 9]) {
        const points = Array.from({ length: n }, () => mcl.mul(P, randomScalar()));
        for (const size of [16, 32]) {
          const scalars = points.map(() => random(size));
          assert.equal(msm(points, scalars), expected(points, scalars), `${n} points, ${size}-byte scalars`);
        }
      }
    });

    it('handles the edge cases: scalars 0, 1, r - 1, r and 2^256 - 1; infinity; P twice; P and -P; no points', () => {
      const Q1 = mcl.mul(P, randomScalar());
      const cases: Array<[string, G1[], bigint[]]> = [
        ['scalar 0', [Q1], [0n]],
        ['scalar 1', [Q1], [1n]],
        ['scalar r - 1', [Q1], [SCALAR_FIELD_ORDER - 1n]],
        ['scalar r (the identity)', [Q1], [SCALAR_FIELD_ORDER]],
        ['scalar 2^256 - 1', [Q1], [2n ** 256n - 1n]],
        ['the point at infinity', [new mcl.G1(), Q1], [5n, 7n]],
        ['the same point twice (doubling inside the sum)', [Q1, Q1], [3n, 3n]],
        ['P and -P (cancelling to infinity)', [Q1, mcl.neg(Q1)], [9n, 9n]],
        ['P and -P with other weights', [Q1, mcl.neg(Q1)], [9n, 4n]],
      ];
      for (const [name, points, scalars] of cases) assert.equal(msm(points, scalars), expected(points, scalars), name);
      assert.equal(msm([], []), '0'.repeat(128), 'no points: infinity');
    });

    it('refuses a coordinate >= p, a point off the curve and mismatched lengths, leaving out as it was', () => {
      const out = new Uint8Array(64);
      const good = g1(P);
      const nonCanonical = good.slice();
      Buffer.from(nonCanonical.buffer).write(FIELD_MODULUS.toString(16).padStart(64, '0'), 0, 32, 'hex');
      assert.throws(() => native!.multiScalarMul(nonCanonical, scalarBytes([1n]), out), /not-canonical/);
      const offCurve = good.slice();
      offCurve[63] = offCurve[63]! ^ 1;
      assert.throws(() => native!.multiScalarMul(offCurve, scalarBytes([1n]), out), /not-on-curve/);
      assert.deepEqual(out, new Uint8Array(64));
      assert.throws(() => native!.multiScalarMul(good, scalarBytes([1n, 2n]), out), /64-byte points/);
      assert.throws(() => native!.multiScalarMul(good, scalarBytes([1n]), new Uint8Array(63)), /64-byte output/);
    });
  });
}
