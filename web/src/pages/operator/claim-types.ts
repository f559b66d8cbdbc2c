import type { Schemas } from '../../api/client.ts';
import { SCOPE_LABELS } from './partner-form.tsx';

export type ClaimType = Schemas['CircuitVersionCreate']['claim_type'];

/** A Record: a claim type added to the contract fails the type check until it is listed here. */
const CLAIM_TYPE_SET: Record<ClaimType, true> = { age_over_18: true, age_over_21: true, citizenship: true, education: true, income_gte: true };
export const CLAIM_TYPES = Object.keys(CLAIM_TYPE_SET) as ClaimType[];

/** Claim types are partner scopes too: one label for both. */
export const claimTypeLabel = (claimType: string): string => SCOPE_LABELS[claimType as ClaimType] ?? claimType;
