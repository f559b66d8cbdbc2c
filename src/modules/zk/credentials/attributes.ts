import { fail, type Result } from './result.ts';

/** The signed attributes, in the order they enter Poseidon (and the circuit). */
export const ATTRIBUTE_NAMES = [
  'birth_date',
  'citizenship',
  'education_level',
  'annual_income',
  'expiry_date',
  'holder_secret',
] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];
export type CredentialAttributes = Record<AttributeName, bigint>;

export const BN254_SCALAR_FIELD_ORDER =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

// Bit widths of the circuits' range checks (circuits/src/credential.circom). A value
// outside them makes witness generation fail, so nothing outside is signed or proved.
export const DATE_BITS = 27;
export const YEARS_BITS = 8;
export const LEVEL_BITS = 8;
export const INCOME_BITS = 64;

/** Inclusive bounds each attribute must satisfy before it is signed. */
export const ATTRIBUTE_BOUNDS: Record<AttributeName, { min: bigint; max: bigint }> = {
  birth_date: { min: 10101n, max: 99991231n },
  citizenship: { min: 1n, max: 999n }, // ISO 3166-1 numeric
  education_level: { min: 0n, max: 2n ** BigInt(LEVEL_BITS) - 1n },
  annual_income: { min: 0n, max: 2n ** BigInt(INCOME_BITS) - 1n },
  expiry_date: { min: 10101n, max: 99991231n },
  holder_secret: { min: 1n, max: BN254_SCALAR_FIELD_ORDER - 1n },
};

/** True iff `value` is YYYYMMDD for a real proleptic-Gregorian date in years 1..9999. */
export function isCalendarDate(value: bigint): boolean {
  if (value < 10101n || value > 99991231n) return false;
  const year = Number(value / 10000n);
  const month = Number((value / 100n) % 100n);
  const day = Number(value % 100n);
  if (month < 1 || month > 12 || day < 1) return false;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  return utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
}

/** The UTC calendar date of `date` as YYYYMMDD (the `current_date` convention). */
export function toYyyymmdd(date: Date): number {
  return date.getUTCFullYear() * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
}

export type AttributeErrorCode = 'ATTRIBUTE_OUT_OF_RANGE' | 'ATTRIBUTE_NOT_A_DATE';

export function validateAttributes(attributes: CredentialAttributes): Result<CredentialAttributes, AttributeErrorCode> {
  for (const name of ATTRIBUTE_NAMES) {
    const value = attributes[name];
    const { min, max } = ATTRIBUTE_BOUNDS[name];
    if (typeof value !== 'bigint' || value < min || value > max) {
      return fail('ATTRIBUTE_OUT_OF_RANGE', `${name} must be an integer in [${min}, ${max}]`);
    }
  }
  for (const name of ['birth_date', 'expiry_date'] as const) {
    if (!isCalendarDate(attributes[name])) {
      return fail('ATTRIBUTE_NOT_A_DATE', `${name} must be a calendar date as YYYYMMDD`);
    }
  }
  return { ok: true, value: attributes };
}

/** A uniformly random non-zero field element, for `holder_secret`. */
export function generateHolderSecret(randomBytes: (length: number) => Uint8Array): bigint {
  for (;;) {
    let candidate = 0n;
    for (const byte of randomBytes(32)) candidate = (candidate << 8n) | BigInt(byte);
    candidate &= (1n << 254n) - 1n; // r < 2^254: rejection accepts ~76% of draws
    if (candidate !== 0n && candidate < BN254_SCALAR_FIELD_ORDER) return candidate;
  }
}
