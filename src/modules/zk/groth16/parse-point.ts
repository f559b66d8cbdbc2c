// Pure parsing of snarkjs JSON field elements and curve points. snarkjs writes points in
// projective form with z = 1 (G1 [x, y, "1"], G2 [[x0, x1], [y0, y1], ["1", "0"]]) and the
// identity as G1 ["0", "1", "0"] / G2 [["0", "0"], ["1", "0"], ["0", "0"]]; nothing else is accepted.
import { FIELD_MODULUS, isOnG1Curve, isOnG2Curve, type Fp2, type G1Affine, type G2Affine } from './bn254.ts';
import { groth16Failure, type G1AffineOrInfinity, type Groth16Failure, type Groth16Result } from './types.ts';

const CANONICAL_DECIMAL = /^(?:0|[1-9][0-9]*)$/;
/** Both moduli have 77 decimal digits; longer strings are rejected before BigInt parsing. */
const MAX_DECIMAL_DIGITS = 77;

/** A decimal string without sign, whitespace or leading zeros whose value is below `bound`. */
export function parseCanonicalDecimal(value: unknown, bound: bigint): bigint | undefined {
  if (typeof value !== 'string' || value.length > MAX_DECIMAL_DIGITS || !CANONICAL_DECIMAL.test(value)) {
    return undefined;
  }
  const parsed = BigInt(value);
  return parsed < bound ? parsed : undefined;
}

/** Where a point sits in its document: the name in messages and the code for a wrong shape. */
export type PointContext = { readonly label: string; readonly shapeCode: 'MALFORMED_KEY' | 'MALFORMED_PROOF' };

export const isJsonObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** snarkjs normalises curve names the same way (upper case, alphanumerics only). */
export function isBn254CurveName(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return ['BN128', 'BN254', 'ALTBN128'].includes(value.toUpperCase().replace(/[^A-Z0-9]/g, ''));
}

const isArrayOfLength = (value: unknown, length: number): value is readonly unknown[] =>
  Array.isArray(value) && value.length === length;

type Coordinates<T> = Groth16Result<{ x: T; y: T; z: T }>;

function parseTriple<T>(
  json: unknown,
  context: PointContext,
  parseElement: (value: unknown) => T | undefined | 'bad-shape',
): Coordinates<T> {
  if (!isArrayOfLength(json, 3)) {
    return groth16Failure(context.shapeCode, `${context.label}: expected an array of 3 projective coordinates`);
  }
  const elements = json.map(parseElement);
  if (elements.includes('bad-shape')) {
    return groth16Failure(context.shapeCode, `${context.label}: every F_p2 coordinate must be a pair [c0, c1]`);
  }
  const [x, y, z] = elements as (T | undefined)[];
  if (x === undefined || y === undefined || z === undefined) {
    return groth16Failure(
      'COORDINATE_NOT_CANONICAL',
      `${context.label}: coordinates must be canonical decimal strings below the field modulus`,
    );
  }
  return { ok: true, value: { x, y, z } };
}

const parseFp = (value: unknown): bigint | undefined => parseCanonicalDecimal(value, FIELD_MODULUS);

function parseFp2(value: unknown): Fp2 | undefined | 'bad-shape' {
  if (!isArrayOfLength(value, 2)) return 'bad-shape';
  const c0 = parseFp(value[0]);
  const c1 = parseFp(value[1]);
  return c0 === undefined || c1 === undefined ? undefined : [c0, c1];
}

const fp2Is = (value: Fp2, c0: bigint, c1: bigint): boolean => value[0] === c0 && value[1] === c1;

function badProjectiveZ(context: PointContext): Groth16Failure {
  return groth16Failure(
    context.shapeCode,
    `${context.label}: expected z = 1 (affine) or the snarkjs encoding of the point at infinity`,
  );
}

export function parseG1OrInfinity(json: unknown, context: PointContext): Groth16Result<G1AffineOrInfinity> {
  const triple = parseTriple(json, context, parseFp);
  if (!triple.ok) return triple;
  const { x, y, z } = triple.value;
  if (z === 0n && x === 0n && y === 1n) return { ok: true, value: 'infinity' };
  if (z !== 1n) return badProjectiveZ(context);
  const point: G1Affine = { x, y };
  if (!isOnG1Curve(point)) return groth16Failure('POINT_NOT_ON_CURVE', `${context.label}: not on the BN254 G1 curve`);
  return { ok: true, value: point };
}

export function parseG1(json: unknown, context: PointContext): Groth16Result<G1Affine> {
  const parsed = parseG1OrInfinity(json, context);
  if (parsed.ok && parsed.value === 'infinity') {
    return groth16Failure('POINT_AT_INFINITY', `${context.label}: the point at infinity is not allowed here`);
  }
  return parsed as Groth16Result<G1Affine>;
}

/** The G2 identity is never acceptable in a key or a proof. Subgroup membership is checked later, in mcl. */
export function parseG2(json: unknown, context: PointContext): Groth16Result<G2Affine> {
  const triple = parseTriple(json, context, parseFp2);
  if (!triple.ok) return triple;
  const { x, y, z } = triple.value;
  if (fp2Is(z, 0n, 0n) && fp2Is(x, 0n, 0n) && fp2Is(y, 1n, 0n)) {
    return groth16Failure('POINT_AT_INFINITY', `${context.label}: the point at infinity is not allowed here`);
  }
  if (!fp2Is(z, 1n, 0n)) return badProjectiveZ(context);
  const point: G2Affine = { x, y };
  if (!isOnG2Curve(point)) return groth16Failure('POINT_NOT_ON_CURVE', `${context.label}: not on the BN254 G2 twist curve`);
  return { ok: true, value: point };
}
