import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { deleteExpiredChallenges } from './delete-expired-challenges.ts';

export const expiredChallengesCleanupTask: GlobalManagerTask = {
  name: 'cleanup-registry-challenges',
  run: async (deps, { now }) => ({ deleted: await deleteExpiredChallenges(deps.pool, now) }),
};
