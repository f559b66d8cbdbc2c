import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { generateVault } from './generate-vault.ts';
import type { PartnerPricing } from './partner-pricing.ts';

/** The gateway vault task; `pricing` fills `plan` and `over_cap` (from the billing module's plans). */
export function gatewayVaultTask(pricing: PartnerPricing): GlobalManagerTask {
  return { name: 'gateway-vault', run: (deps, context) => generateVault(deps, context, pricing) };
}
