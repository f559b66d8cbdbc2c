import { INCOME_BITS, LEVEL_BITS, YEARS_BITS } from './attributes.ts';

export const CLAIM_TYPES = ['age_over_18', 'age_over_21', 'citizenship', 'education', 'income_gte'] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

export function isClaimType(value: string): value is ClaimType {
  return (CLAIM_TYPES as readonly string[]).includes(value);
}

export type ClaimPredicate = 'age_at_least' | 'citizenship_equals' | 'education_at_least' | 'income_at_least';

export type ClaimCircuit = {
  /** What `result` = 1 means, with `param` substituted. */
  predicate: ClaimPredicate;
  /** Inclusive range of `param` the circuit accepts (its range check). */
  paramMin: bigint;
  paramMax: bigint;
  /** When set, the only `param` a verifier accepts for this claim type. */
  requiredParam?: bigint;
};

const AGE_PARAM = { predicate: 'age_at_least', paramMin: 0n, paramMax: 2n ** BigInt(YEARS_BITS) - 1n } as const;

export const CLAIM_CIRCUITS: Record<ClaimType, ClaimCircuit> = {
  age_over_18: { ...AGE_PARAM, requiredParam: 18n },
  age_over_21: { ...AGE_PARAM, requiredParam: 21n },
  // IsEqual has no range check; 1..999 are the ISO 3166-1 numeric codes.
  citizenship: { predicate: 'citizenship_equals', paramMin: 1n, paramMax: 999n },
  education: { predicate: 'education_at_least', paramMin: 0n, paramMax: 2n ** BigInt(LEVEL_BITS) - 1n },
  income_gte: { predicate: 'income_at_least', paramMin: 0n, paramMax: 2n ** BigInt(INCOME_BITS) - 1n },
};
