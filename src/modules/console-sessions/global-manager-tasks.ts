import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { deleteExpiredConsoleRows } from './delete-expired-console-rows.ts';

export const consoleSessionsCleanupTask: GlobalManagerTask = {
  name: 'cleanup-console-sessions',
  run: async (deps, { now }) => deleteExpiredConsoleRows(deps.pool, now),
};
