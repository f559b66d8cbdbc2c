import type { Invoice } from './find-invoices.ts';

const COLUMNS = ['invoice_id', 'number', 'status', 'period', 'client_id', 'client_name', 'currency', 'product', 'quantity', 'included', 'overage', 'unit_price', 'amount'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const field = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** `2026-03`: the UTC month an invoice bills. */
export const periodName = (start: Date | string) => new Date(start).toISOString().slice(0, 7);

/**
 * Invoices as CSV (RFC 4180, CRLF, a header row): a row per line, then a `deposits_applied` row
 * whose amount is minus the deposits and credits applied, so an invoice's amounts add up to its total.
 * Amounts are integer minor units of `currency`.
 */
export function invoicesCsv(invoices: readonly Invoice[]): string {
  const rows: Array<readonly (string | number)[]> = [COLUMNS];
  for (const invoice of invoices) {
    const head = [invoice.id, invoice.number ?? '', invoice.status, periodName(invoice.period_start), invoice.client_id, invoice.client_name, invoice.currency];
    for (const line of invoice.lines) rows.push([...head, line.product, line.quantity, line.included, line.overage, line.unit_price, line.amount]);
    rows.push([...head, 'deposits_applied', '', '', '', '', -invoice.deposits_applied]);
  }
  return rows.map((row) => `${row.map(field).join(',')}\r\n`).join('');
}
