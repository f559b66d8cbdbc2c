import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { PRODUCTS } from '#modules/metering/products.ts';
import type { InvoiceLine } from './price-invoice.ts';

export type InvoiceStatus = 'draft' | 'finalized';

export type Invoice = {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  client_id: string;
  client_name: string;
  period_start: string;
  period_end: string;
  currency: string;
  tier: string;
  plan_version: number;
  lines: InvoiceLine[];
  subtotal: number;
  deposits_applied: number;
  total: number;
  computed_at: string;
  finalized_at: string | null;
};

const PRODUCT_ORDER: readonly string[] = PRODUCTS;

type InvoiceRow = Omit<Invoice, 'period_start' | 'period_end' | 'computed_at' | 'finalized_at' | 'lines' | 'subtotal' | 'deposits_applied' | 'total'> & {
  period_start: Date;
  period_end: Date;
  computed_at: Date;
  finalized_at: Date | null;
  subtotal: string;
  deposits_applied: string;
  total: string;
  lines: Array<Record<keyof InvoiceLine, string>>;
};

export type InvoiceFilter = { id?: string; clientId?: string; periodStart?: Date; status?: InvoiceStatus };

/**
 * Invoices with their lines (in product order), oldest period first, then by number (drafts
 * last). Bigint columns are read as text and turned into numbers (amounts stay far below 2^53).
 */
export async function findInvoices(db: Pool | PoolClient, filter: InvoiceFilter): Promise<Invoice[]> {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT i.id, i.number, i.status, i.client_id, i.client_name, i.period_start, i.period_end, i.currency, i.tier, i.plan_version,
            i.subtotal::text, i.deposits_applied::text, i.total::text, i.computed_at, i.finalized_at,
            COALESCE((SELECT json_agg(json_build_object('product', l.product, 'quantity', l.quantity::text, 'included', l.included::text,
                        'overage', l.overage::text, 'unit_price', l.unit_price::text, 'amount', l.amount::text) ORDER BY array_position($5::text[], l.product))
                        FROM invoice_lines l WHERE l.invoice_id = i.id), '[]') AS lines
       FROM invoices i
      WHERE ($1::text IS NULL OR i.id = $1) AND ($2::text IS NULL OR i.client_id = $2)
        AND ($3::timestamptz IS NULL OR i.period_start = $3) AND ($4::text IS NULL OR i.status = $4)
      ORDER BY i.period_start, i.number NULLS LAST, i.client_id`,
    [filter.id ?? null, filter.clientId ?? null, filter.periodStart ?? null, filter.status ?? null, PRODUCT_ORDER],
  );
  return rows.map((row) => ({
    ...row,
    period_start: row.period_start.toISOString(),
    period_end: row.period_end.toISOString(),
    computed_at: row.computed_at.toISOString(),
    finalized_at: row.finalized_at?.toISOString() ?? null,
    subtotal: Number(row.subtotal),
    deposits_applied: Number(row.deposits_applied),
    total: Number(row.total),
    lines: row.lines.map((line) => ({
      product: line.product as InvoiceLine['product'],
      quantity: Number(line.quantity),
      included: Number(line.included),
      overage: Number(line.overage),
      unit_price: Number(line.unit_price),
      amount: Number(line.amount),
    })),
  }));
}
