import { inTransaction } from '#platform/db/pool.ts';
import { periodStart } from '../billing-period.ts';
import { computeInvoice, type InvoiceDeps } from './compute-invoice.ts';
import { writeDraftInvoice } from './write-draft-invoice.ts';

/**
 * Recomputes a partner's drafts from its usage so far, so a read shows the running estimate: the
 * current month's (created when the partner has a plan in it) and any earlier month still open
 * (closed but not finalized yet). A draft finalized meanwhile is left alone.
 */
export async function refreshDraftInvoices(deps: InvoiceDeps, clientId: string, now: Date): Promise<void> {
  const { rows } = await deps.pool.query<{ period_start: Date }>("SELECT period_start FROM invoices WHERE client_id = $1 AND status = 'draft'", [clientId]);
  const periods = new Map([periodStart(now), ...rows.map((row) => row.period_start)].map((start) => [start.getTime(), start]));
  for (const start of periods.values()) {
    const computed = await computeInvoice(deps, clientId, start);
    if (computed) await inTransaction(deps.pool, (tx) => writeDraftInvoice(tx, computed, deps.currency, now));
  }
}
