import type { Pool } from '#platform/db/pool.ts';
import type { DepositsInPeriod } from './invoices/compute-invoice.ts';

/**
 * The deposits a partner made in [from, to), in minor units, from its prepaid balance ledger (a
 * deposit credits the partner's account: its entry is negative). What an invoice applies.
 */
export function depositsInPeriod(deps: { pool: Pool }): DepositsInPeriod {
  return async (clientId, from, to) => {
    const { rows } = await deps.pool.query<{ deposits: string }>(
      `SELECT COALESCE(-sum(e.amount), 0)::text AS deposits
         FROM balance_transactions t JOIN balance_entries e ON e.transaction_id = t.id AND e.account = 'partner:' || t.client_id
        WHERE t.client_id = $1 AND t.kind = 'deposit' AND t.created_at >= $2 AND t.created_at < $3`,
      [clientId, from, to],
    );
    return Number(rows[0]!.deposits);
  };
}
