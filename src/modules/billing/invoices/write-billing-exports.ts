import type { Pool } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { findInvoices } from './find-invoices.ts';
import { invoicesCsv, periodName } from './invoice-csv.ts';

const EXPORTS = 'billing/exports/';

/** Where the operator-wide export of a month (`2026-03`) is stored. */
export const billingExportKey = (period: string) => `${EXPORTS}${period}.csv`;

/**
 * Writes the operator-wide CSV (every line of every finalized invoice) of each closed month ending
 * by `closedBefore` that has finalized invoices and no export yet. Finalized invoices never change,
 * so an export written once stays true; one lost to a kill before its upload is written by the
 * next run. Returns how many were written.
 */
export async function writeBillingExports(deps: { pool: Pool; storage: ObjectStorage }, closedBefore: Date): Promise<number> {
  const existing = new Set(await deps.storage.list(EXPORTS));
  const { rows } = await deps.pool.query<{ period_start: Date }>(
    "SELECT DISTINCT period_start FROM invoices WHERE status = 'finalized' AND period_end <= $1 ORDER BY period_start",
    [closedBefore],
  );
  let written = 0;
  for (const { period_start: start } of rows) {
    const key = billingExportKey(periodName(start));
    if (existing.has(key)) continue;
    const invoices = await findInvoices(deps.pool, { periodStart: start, status: 'finalized' });
    await deps.storage.put(key, Buffer.from(invoicesCsv(invoices)), 'text/csv; charset=utf-8');
    written++;
  }
  return written;
}
