// BN254 (alt_bn128, "bn128" in snarkjs) constants and the pure curve-equation checks the
// parser needs. Values cross-checked against mcl and snarkjs in bn254.test.ts.

/** Base field modulus p (coordinates live in F_p and F_p2 = F_p[u]/(u^2 + 1)). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** Prime order r of G1, G2 and GT; public signals are elements of F_r. */
export const SCALAR_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** An element c0 + c1*u of F_p2, in snarkjs order [c0, c1]. */
export type Fp2 = readonly [c0: bigint, c1: bigint];

export type G1Affine = { readonly x: bigint; readonly y: bigint };
export type G2Affine = { readonly x: Fp2; readonly y: Fp2 };

const mod = (value: bigint): bigint => {
  const reduced = value % FIELD_MODULUS;
  return reduced < 0n ? reduced + FIELD_MODULUS : reduced;
};

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let square = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = mod(result * square);
    square = mod(square * square);
  }
  return result;
}

const fp2Mul = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])];
const fp2Add = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] + b[0]), mod(a[1] + b[1])];
const fp2Equal = (a: Fp2, b: Fp2): boolean => a[0] === b[0] && a[1] === b[1];

/** G1: y^2 = x^3 + 3. */
const G1_B = 3n;

/** G2 lives on the D-type sextic twist y^2 = x^3 + 3 / (9 + u); 1/(9 + u) = (9 - u) / 82. */
const inverseOf82 = modPow(82n, FIELD_MODULUS - 2n);
const G2_B: Fp2 = [mod(27n * inverseOf82), mod(-3n * inverseOf82)];

/** Coordinates must already be reduced (< p); the parser guarantees it. */
export function isOnG1Curve(point: G1Affine): boolean {
  const { x, y } = point;
  return mod(y * y) === mod(x * x * x + G1_B);
}

/** Curve equation only: membership of the order-r subgroup needs a scalar multiplication (see mcl-bn254.ts). */
export function isOnG2Curve(point: G2Affine): boolean {
  const { x, y } = point;
  return fp2Equal(fp2Mul(y, y), fp2Add(fp2Mul(fp2Mul(x, x), x), G2_B));
}
