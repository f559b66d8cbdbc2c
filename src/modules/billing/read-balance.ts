import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { partnerAccount, type BalanceTransactionKind } from './post-balance-transaction.ts';

/** A partner's balance in minor units: the sum of its account's entries, credits counting up. */
export async function readBalance(q: Pool | PoolClient, clientId: string): Promise<number> {
  const { rows } = await q.query<{ balance: string }>('SELECT COALESCE(-sum(amount), 0)::text AS balance FROM balance_entries WHERE account = $1', [partnerAccount(clientId)]);
  return Number(rows[0]!.balance);
}

export type BalanceTransaction = { id: string; kind: BalanceTransactionKind; amount: number; period: string | null; reference: string | null; reason: string | null; created_at: string };

/** The partner's transactions newest first (of one `kind`, if given), each with its effect on the balance; `cursor` is the last id of the previous page. */
export async function listBalanceTransactions(
  deps: { pool: Pool },
  clientId: string,
  page: { limit: number; cursor?: string | undefined; kind?: BalanceTransactionKind | undefined },
): Promise<{ data: BalanceTransaction[]; next_cursor: string | null }> {
  const { rows } = await deps.pool.query<{ id: string; kind: BalanceTransactionKind; amount: string; period: Date | null; reference: string | null; reason: string | null; created_at: Date }>(
    `SELECT t.id, t.kind, (-e.amount)::text AS amount, t.period, t.reference, t.reason, t.created_at
       FROM balance_transactions t JOIN balance_entries e ON e.transaction_id = t.id AND e.account = $2
      WHERE t.client_id = $1 AND ($3::text IS NULL OR t.id < $3) AND ($5::text IS NULL OR t.kind = $5)
      ORDER BY t.id DESC LIMIT $4`,
    [clientId, partnerAccount(clientId), page.cursor ?? null, page.limit + 1, page.kind ?? null],
  );
  const shown = rows.slice(0, page.limit);
  return {
    data: shown.map((row) => ({ id: row.id, kind: row.kind, amount: Number(row.amount), period: row.period?.toISOString() ?? null, reference: row.reference, reason: row.reason, created_at: row.created_at.toISOString() })),
    next_cursor: rows.length > page.limit ? shown.at(-1)!.id : null,
  };
}
