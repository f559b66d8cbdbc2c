import type { GlobalManagerDeps } from '#modules/global-manager/task.ts';

export type PartnerPricingEntry = { plan: string | null; overCap: boolean };

/**
 * The plan and the over-cap flag of each partner in the vault, by client id. The plans and
 * metering work provides its own (an exported function of its module, passed in
 * src/global-manager-tasks.ts); a partner it leaves out gets `notYetPriced`'s values.
 */
export type PartnerPricing = (deps: GlobalManagerDeps, clientIds: readonly string[], now: Date) => Promise<ReadonlyMap<string, PartnerPricingEntry>>;

export const NOT_YET_PRICED: PartnerPricingEntry = { plan: null, overCap: false };

/** Until plans exist: every partner `plan: null`, `over_cap: false` (README: "not yet priced"). */
export const notYetPriced: PartnerPricing = async () => new Map();
