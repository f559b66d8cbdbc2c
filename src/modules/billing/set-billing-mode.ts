import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { refreshBillingAccount, type BillingAccount, type BillingMode } from './billing-account.ts';

export type SetBillingModeResult = { ok: true; value: BillingAccount } | { ok: false; code: 'NOT_FOUND'; message: string };

/** Puts a partner on prepaid credits or on invoices (the default); applies at once. */
export async function setBillingMode(deps: { pool: Pool; clock: Clock }, clientId: string, mode: BillingMode, actor: AuditActor): Promise<SetBillingModeResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    if ((await findClientName(tx, clientId)) === undefined) return { ok: false, code: 'NOT_FOUND', message: `no client ${clientId}` } as const;
    const account = await refreshBillingAccount(tx, clientId, now, { mode });
    await recordAudit(drizzle({ client: tx }), actor, { action: 'billing.mode_set', targetType: 'api_client', targetId: clientId, details: { billing_mode: mode } }, now);
    return { ok: true, value: account } as const;
  });
}
