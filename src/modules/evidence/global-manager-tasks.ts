import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { releaseAwaitingEvidence, type CreditsCover } from './release-awaiting-evidence.ts';

/** Queues the submissions that wait for credits, as many as each partner's credits now cover (after the cycle's charges). */
export const awaitingCreditsReleaseTask = (creditsCover: CreditsCover): GlobalManagerTask => ({
  name: 'release-awaiting-credits',
  run: async (deps, { now, signal }) => releaseAwaitingEvidence({ pool: deps.pool, creditsCover }, { now, signal }),
});
