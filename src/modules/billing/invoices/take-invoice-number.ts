import type { PoolClient } from '#platform/db/pool.ts';

/**
 * The next invoice number of `currency` and `year` (`EUR-2026-000001`), on the finalizing
 * transaction: the counter row is locked until it commits, so numbers are given in commit order
 * and one rolled back is given again (no gaps, unlike a sequence).
 */
export async function takeInvoiceNumber(tx: PoolClient, currency: string, year: number): Promise<string> {
  await tx.query('INSERT INTO invoice_number_counters (currency, year, last_number) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [currency, year]);
  const { rows } = await tx.query<{ last_number: number }>('SELECT last_number FROM invoice_number_counters WHERE currency = $1 AND year = $2 FOR UPDATE', [currency, year]);
  const next = rows[0]!.last_number + 1;
  await tx.query('UPDATE invoice_number_counters SET last_number = $3 WHERE currency = $1 AND year = $2', [currency, year, next]);
  return `${currency}-${year}-${String(next).padStart(6, '0')}`;
}
