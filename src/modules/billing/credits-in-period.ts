import type { Pool } from '#platform/db/pool.ts';
import type { CreditsInPeriod } from './invoices/compute-invoice.ts';

/**
 * What a partner was credited in [from, to), in minor units, from its balance ledger: deposits,
 * refunds and adjustments (a negative adjustment counts against them), not charges. What an
 * invoice applies. A credit raises the partner's balance: its entry is negative.
 */
export function creditsInPeriod(deps: { pool: Pool }): CreditsInPeriod {
  return async (clientId, from, to) => {
    const { rows } = await deps.pool.query<{ credits: string }>(
      `SELECT COALESCE(-sum(e.amount), 0)::text AS credits
         FROM balance_transactions t JOIN balance_entries e ON e.transaction_id = t.id AND e.account = 'partner:' || t.client_id
        WHERE t.client_id = $1 AND t.kind IN ('deposit', 'refund', 'adjustment') AND t.created_at >= $2 AND t.created_at < $3`,
      [clientId, from, to],
    );
    return Number(rows[0]!.credits);
  };
}
