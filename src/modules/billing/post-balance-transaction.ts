import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';

export const BALANCE_TRANSACTION_KINDS = ['deposit', 'charge', 'refund', 'adjustment'] as const;
export type BalanceTransactionKind = (typeof BALANCE_TRANSACTION_KINDS)[number];

/** The partner's account in the ledger. */
export const partnerAccount = (clientId: string) => `partner:${clientId}`;

/**
 * The account each kind moves the partner's credits against: a deposit is cash received, a charge
 * and a refund are revenue earned and given back, an adjustment is the operator's correction.
 */
const COUNTER_ACCOUNTS: Record<BalanceTransactionKind, string> = {
  deposit: 'platform:cash',
  charge: 'platform:revenue',
  refund: 'platform:revenue',
  adjustment: 'platform:adjustments',
};

export type BalanceTransactionInput = {
  clientId: string;
  kind: BalanceTransactionKind;
  /** The change of the partner's balance in minor units: positive for deposits and refunds, negative for charges; either way for adjustments. */
  amount: number;
  at: Date;
  reference?: string | undefined;
  /** Refunds and adjustments: why (required for them, none for the others: the database checks). */
  reason?: string | undefined;
  /** Charges: the period and the month-to-date amount charged with this one (unique: a charge posted twice is posted once). */
  charge?: { period: Date; cumulative: number } | undefined;
};

/**
 * Posts one balanced transaction on the caller's transaction: two entries, the partner's account
 * credited (its balance up) or debited, the counter account the other way, summing to zero (the
 * database checks every transaction at commit). Returns its id, or undefined for a charge already posted.
 */
export async function postBalanceTransaction(tx: PoolClient, input: BalanceTransactionInput): Promise<string | undefined> {
  const id = newId('btx');
  const inserted = await tx.query(
    `INSERT INTO balance_transactions (id, client_id, kind, period, cumulative, reference, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (client_id, period, cumulative) WHERE kind = 'charge' DO NOTHING`,
    [id, input.clientId, input.kind, input.charge?.period ?? null, input.charge?.cumulative ?? null, input.reference ?? null, input.reason ?? null, input.at],
  );
  if (inserted.rowCount === 0) return undefined;
  // Debits positive, credits negative: crediting the partner (its balance up) is a negative entry on its account.
  await tx.query('INSERT INTO balance_entries (transaction_id, account, amount) VALUES ($1, $2, $3), ($1, $4, $5)', [
    id,
    partnerAccount(input.clientId),
    -input.amount,
    COUNTER_ACCOUNTS[input.kind],
    input.amount,
  ]);
  return id;
}
