import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { lockBillingAccount, refreshBillingAccount, type BillingAccount } from './billing-account.ts';
import { partnerAccount, postBalanceTransaction } from './post-balance-transaction.ts';

/**
 * What the operator posts to a partner's balance: a `deposit` (money received), a `refund` (charges
 * given back) or an `adjustment` (a correction either way). `amount` is the change of the balance
 * in minor units: positive but for an adjustment, which may be negative. Refunds and adjustments
 * say why (`reason`, shown to the partner).
 */
export type OperatorTransaction =
  | { kind: 'deposit'; amount: number; reference?: string | undefined }
  | { kind: 'refund' | 'adjustment'; amount: number; reason: string; reference?: string | undefined };

export type RecordBalanceTransactionResult =
  | { ok: true; value: { transactionId: string; account: BillingAccount } }
  | { ok: false; code: 'NOT_FOUND'; message: string }
  /** A refund over what the partner was charged and not refunded yet (`refundable`). */
  | { ok: false; code: 'CONFLICT'; message: string; refundable: number };

/** Charges minus refunds so far, on the partner's account (charges debit it: positive entries). */
async function refundableCharges(tx: PoolClient, clientId: string): Promise<number> {
  const { rows } = await tx.query<{ refundable: string }>(
    `SELECT COALESCE(sum(e.amount), 0)::text AS refundable
       FROM balance_transactions t JOIN balance_entries e ON e.transaction_id = t.id AND e.account = $2
      WHERE t.client_id = $1 AND t.kind IN ('charge', 'refund')`,
    [clientId, partnerAccount(clientId)],
  );
  return Number(rows[0]!.refundable);
}

/**
 * Posts the operator's transaction, updates the partner's account (a prepaid partner refused for an
 * exhausted balance is served again at once when it is back above) and audits it, in one
 * transaction. The account row is locked first, so two refunds of one partner cannot both fit
 * under what was charged.
 */
export async function recordBalanceTransaction(deps: { pool: Pool; clock: Clock }, clientId: string, input: OperatorTransaction, actor: AuditActor): Promise<RecordBalanceTransactionResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    if ((await findClientName(tx, clientId)) === undefined) return { ok: false, code: 'NOT_FOUND', message: `no client ${clientId}` } as const;
    await lockBillingAccount(tx, clientId, now);
    if (input.kind === 'refund') {
      const refundable = await refundableCharges(tx, clientId);
      if (input.amount > refundable) {
        return { ok: false, code: 'CONFLICT', message: `a refund cannot exceed what was charged and not refunded yet: ${refundable}`, refundable } as const;
      }
    }
    const reason = input.kind === 'deposit' ? undefined : input.reason;
    const transactionId = (await postBalanceTransaction(tx, { clientId, kind: input.kind, amount: input.amount, at: now, reference: input.reference, reason }))!;
    const account = await refreshBillingAccount(tx, clientId, now);
    const details = { transaction_id: transactionId, amount: input.amount, ...(reason === undefined ? {} : { reason }) };
    await recordAudit(drizzle({ client: tx }), actor, { action: `billing.${input.kind}`, targetType: 'api_client', targetId: clientId, details }, now);
    return { ok: true, value: { transactionId, account } } as const;
  });
}
