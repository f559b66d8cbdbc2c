import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { ComputedInvoice } from './compute-invoice.ts';

/**
 * Writes `invoice` as the draft of its partner and month on the caller's transaction, lines
 * replaced, and returns its id; undefined when that invoice is finalized already (it is left as
 * it is). The upsert locks the row: a finalization running meanwhile is waited for.
 */
export async function writeDraftInvoice(tx: PoolClient, invoice: ComputedInvoice, currency: string, now: Date): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO invoices AS i (id, client_id, client_name, period_start, period_end, currency, tier, plan_version, status, subtotal, deposits_applied, total, computed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12)
     ON CONFLICT (client_id, period_start) DO UPDATE
        SET client_name = excluded.client_name, currency = excluded.currency, tier = excluded.tier, plan_version = excluded.plan_version,
            subtotal = excluded.subtotal, deposits_applied = excluded.deposits_applied, total = excluded.total, computed_at = excluded.computed_at
      WHERE i.status = 'draft'
     RETURNING id`,
    [newId('inv', now.getTime()), invoice.clientId, invoice.clientName, invoice.periodStart, invoice.periodEnd, currency, invoice.tier, invoice.planVersion,
      invoice.subtotal, invoice.deposits_applied, invoice.total, now],
  );
  const id = rows[0]?.id;
  if (id === undefined) return undefined;
  await tx.query('DELETE FROM invoice_lines WHERE invoice_id = $1', [id]);
  await tx.query(
    `INSERT INTO invoice_lines (invoice_id, product, quantity, included, overage, unit_price, amount)
     SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])`,
    [id, ...(['product', 'quantity', 'included', 'overage', 'unit_price', 'amount'] as const).map((column) => invoice.lines.map((line) => line[column]))],
  );
  return id;
}
