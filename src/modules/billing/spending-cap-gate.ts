import type { FastifyRequest } from 'fastify';
import type { Clock } from '#platform/clock.ts';
import type { ChangeFeed } from '#platform/db/change-feed.ts';
import { createChangeFedCache } from '#platform/db/change-fed-cache.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { findBillingAccount, overCapReason, type BillingAccount } from './billing-account.ts';

const MESSAGES = {
  SPENDING_CAP: 'monthly spending cap reached: billable calls resume next month or when the operator raises the cap',
  BALANCE_EXHAUSTED: 'prepaid balance exhausted: billable calls resume when credits are deposited',
} as const;

/**
 * The hook of billable partner routes (after authentication and rate limit, before any body is
 * read): 402 `PAYMENT_REQUIRED` with `reason` when the partner is over its hard cap. The account
 * is served from memory like the plan rate limit (change-fed on billing_accounts, which the charge
 * task and deposits update); every partner's key is kept, a first account row notifies too.
 */
export function spendingCapGate(deps: { pool: Pool; clock: Clock; changeFeed?: ChangeFeed | undefined }) {
  const cache = deps.changeFeed ? createChangeFedCache<{ clientId: string; account: BillingAccount }>(deps.changeFeed, 'billing_accounts') : undefined;
  const load = async (clientId: string) => ({ clientId, account: await findBillingAccount(deps.pool, clientId) });
  return async function refuseOverCap(request: FastifyRequest): Promise<void> {
    const clientId = request.client?.id;
    if (!clientId) return;
    const { account } = cache ? await cache.find(clientId, () => load(clientId), (value) => value.clientId) : await load(clientId);
    const reason = overCapReason(account, deps.clock.now());
    if (reason) throw new ApiError('PAYMENT_REQUIRED', MESSAGES[reason], { reason });
  };
}
