import type { GlobalManagerDeps } from '#modules/global-manager/task.ts';

export type PartnerPricingEntry = { plan: string | null; overCap: boolean };

/**
 * The plan and the over-cap flag of each partner in the vault, by client id, from the billing
 * module (passed in src/global-manager-tasks.ts); a partner it leaves out (no plan) gets
 * NOT_YET_PRICED's values.
 */
export type PartnerPricing = (deps: GlobalManagerDeps, clientIds: readonly string[], now: Date) => Promise<ReadonlyMap<string, PartnerPricingEntry>>;

export const NOT_YET_PRICED: PartnerPricingEntry = { plan: null, overCap: false };
