/** The claim types a holder can prove (seed `ClaimType`); each is also an API-key scope. */
export const CLAIM_TYPES = ['age_over_18', 'age_over_21', 'citizenship', 'education', 'income_gte'] as const;

export type ClaimType = (typeof CLAIM_TYPES)[number];

export function isClaimType(value: string): value is ClaimType {
  return (CLAIM_TYPES as readonly string[]).includes(value);
}
