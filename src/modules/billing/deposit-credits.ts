import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { refreshBillingAccount, type BillingAccount } from './billing-account.ts';
import { postBalanceTransaction } from './post-balance-transaction.ts';

export type DepositResult = { ok: true; value: { transactionId: string; account: BillingAccount } } | { ok: false; code: 'NOT_FOUND'; message: string };

/** Credits a partner's balance with money received (the operator records it), and lifts a prepaid partner's cap at once. */
export async function depositCredits(
  deps: { pool: Pool; clock: Clock },
  clientId: string,
  input: { amount: number; reference?: string | undefined },
  actor: AuditActor,
): Promise<DepositResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    if ((await findClientName(tx, clientId)) === undefined) return { ok: false, code: 'NOT_FOUND', message: `no client ${clientId}` } as const;
    const transactionId = (await postBalanceTransaction(tx, { clientId, kind: 'deposit', amount: input.amount, at: now, reference: input.reference }))!;
    const account = await refreshBillingAccount(tx, clientId, now);
    await recordAudit(drizzle({ client: tx }), actor, { action: 'billing.deposit', targetType: 'api_client', targetId: clientId, details: { transaction_id: transactionId, amount: input.amount } }, now);
    return { ok: true, value: { transactionId, account } } as const;
  });
}
