// BN254 (alt_bn128, "bn128" in snarkjs) constants and the pure curve-equation checks the
// parser needs. Values cross-checked against mcl and snarkjs in bn254.test.ts.

/** Base field modulus p (coordinates live in F_p and F_p2 = F_p[u]/(u^2 + 1)). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** Prime order r of G1, G2 and GT; public signals are elements of F_r. */
export const SCALAR_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * The BN parameter ("seed") x of this curve: p = 36x^4 + 36x^3 + 24x^2 + 6x + 1 and
 * r = 36x^4 + 36x^3 + 18x^2 + 6x + 1 (checked in bn254.test.ts).
 */
export const BN_SEED = 4965661367192848881n;

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
function fp2Pow(base: Fp2, exponent: bigint): Fp2 {
  let result: Fp2 = [1n, 0n];
  let square = base;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = fp2Mul(result, square);
    square = fp2Mul(square, square);
  }
  return result;
}
const fp2Equal = (a: Fp2, b: Fp2): boolean => a[0] === b[0] && a[1] === b[1];

/** G1: y^2 = x^3 + 3. */
const G1_B = 3n;

/** G2 lives on the D-type sextic twist y^2 = x^3 + 3 / (9 + u); 1/(9 + u) = (9 - u) / 82. */
const inverseOf82 = modPow(82n, FIELD_MODULUS - 2n);
const G2_B: Fp2 = [mod(27n * inverseOf82), mod(-3n * inverseOf82)];

/** -P = (x, -y), on G1 and on the twist alike. */
export const negateG1 = (point: G1Affine): G1Affine => ({ x: point.x, y: mod(-point.y) });
export const negateG2 = (point: G2Affine): G2Affine => ({ x: point.x, y: [mod(-point.y[0]), mod(-point.y[1])] });

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

/** xi = 9 + u: F_p12 is built over it and the twist is y^2 = x^3 + 3/xi. */
const XI: Fp2 = [9n, 1n];

/**
 * The untwist-Frobenius-twist endomorphism psi of G2 (Galbraith-Scott, ePrint 2008/117):
 * psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)), conj being the p-power
 * Frobenius of F_p2. On the order-r subgroup it acts as multiplication by p (= 6x^2 mod r).
 */
export const PSI_X_COEFFICIENT: Fp2 = fp2Pow(XI, (FIELD_MODULUS - 1n) / 3n);
export const PSI_Y_COEFFICIENT: Fp2 = fp2Pow(XI, (FIELD_MODULUS - 1n) / 2n);

/** Signed digits (-1, 0, 1) of n, most significant first, no two adjacent non-zero. */
export function nonAdjacentForm(n: bigint): number[] {
  const digits: number[] = [];
  for (let k = n; k > 0n; k >>= 1n) {
    const digit = k & 1n ? 2n - (k & 3n) : 0n; // 1 if k = 1 mod 4, -1 if k = 3 mod 4
    digits.push(Number(digit));
    k -= digit;
  }
  return digits.reverse();
}
