import { expiredChallengesCleanupTask } from '#modules/agents/global-manager-tasks.ts';
import { gatewayVaultTask } from '#modules/gateway-vault/global-manager-tasks.ts';
import { notYetPriced } from '#modules/gateway-vault/partner-pricing.ts';
import { runsCleanupTask } from '#modules/global-manager/global-manager-tasks.ts';
import type { GlobalManagerTask } from '#modules/global-manager/task.ts';

/**
 * The global manager's cycle, in order. A module adds a task with one entry here (its
 * `global-manager-tasks.ts` declares it): usage aggregation, pricing and billing, invoice
 * finalisation go before the vault, which then publishes their plans and over-cap flags.
 */
export function globalManagerTasks(settings: { runsKeepDays: number }): GlobalManagerTask[] {
  return [
    gatewayVaultTask(notYetPriced),
    expiredChallengesCleanupTask,
    runsCleanupTask(settings.runsKeepDays),
  ];
}
