import type { Clock } from '#platform/clock.ts';
import type { ChangeFeed } from '#platform/db/change-feed.ts';
import { createChangeFedCache } from '#platform/db/change-fed-cache.ts';
import type { Pool } from '#platform/db/pool.ts';
import { periodStart } from './billing-period.ts';
import { clientPlanAt } from './client-plan.ts';

/**
 * The rate limit of a partner's plan, served from memory like client authentication: kept per
 * client and period, dropped when the client's plan changes (a trigger on client_plans, migration
 * 0026). A tier edit applies from the next period, a key not cached before it starts. A first
 * plan taken "now" notifies too. Without a change feed, every lookup reads the database.
 */
export function createPlanRateLimits(deps: { pool: Pool; clock: Clock; changeFeed?: ChangeFeed | undefined }): (clientId: string) => Promise<number | undefined> {
  const read = async (clientId: string) => (await clientPlanAt(deps, clientId, deps.clock.now()))?.version.rate_limit_per_minute;
  if (!deps.changeFeed) return read;
  const cache = createChangeFedCache<{ clientId: string; limit: number | undefined }>(deps.changeFeed, 'client_plans');
  return async (clientId) => {
    const key = `${clientId}:${periodStart(deps.clock.now()).toISOString()}`;
    const found = await cache.find(key, async () => ({ clientId, limit: await read(clientId) }), (value) => value.clientId);
    return found.limit;
  };
}
