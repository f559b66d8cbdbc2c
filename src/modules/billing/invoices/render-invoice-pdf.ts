import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { encodableText } from '#modules/certificates/document/pdf-text.ts';
import type { Invoice } from './find-invoices.ts';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.4, 0.42, 0.46);
/** Right edges of the table's number columns (the product name is left-aligned at the margin). */
const COLUMNS = [{ title: 'Quantity', right: 280 }, { title: 'Included', right: 350 }, { title: 'Overage', right: 420 }, { title: 'Unit price', right: 485 }, { title: 'Amount', right: A4.width - MARGIN }] as const;

/** Integer minor units as a decimal amount of `currency` (`1234` EUR: `12.34`), exact (no floating point). */
export function formatMinorUnits(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const magnitude = String(Math.abs(minor)).padStart(digits + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return digits === 0 ? `${sign}${magnitude}` : `${sign}${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
}

/** The last day of the period (its end is the next month's first instant), `YYYY-MM-DD`. */
const lastDay = (end: string) => new Date(new Date(end).getTime() - 1).toISOString().slice(0, 10);

/**
 * The invoice as a one-page A4 PDF (pdf-lib, standard fonts): number (or DRAFT), period, partner,
 * plan, currency, a row per line, subtotal, deposits and credits applied and total. Dated with the invoice
 * (finalized or computed), so a finalized invoice renders to the same bytes every time.
 */
export async function renderInvoicePdf(invoice: Invoice): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const at = new Date(invoice.finalized_at ?? invoice.computed_at);
  doc.setTitle(`Invoice ${invoice.number ?? `${invoice.id} (draft)`}`);
  doc.setProducer('Veridity');
  doc.setCreator('Veridity');
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([A4.width, A4.height]);
  let y = A4.height - MARGIN;
  const text = (value: string, x: number, options: { size?: number; font?: typeof regular; color?: typeof INK; alignRight?: boolean } = {}) => {
    const font = options.font ?? regular;
    const size = options.size ?? 10;
    const shown = encodableText(value, font);
    page.drawText(shown, { x: options.alignRight ? x - font.widthOfTextAtSize(shown, size) : x, y, size, font, color: options.color ?? INK });
  };
  const money = (minor: number) => formatMinorUnits(minor, invoice.currency);

  text(invoice.status === 'finalized' ? 'Invoice' : 'Invoice (draft estimate)', MARGIN, { size: 20, font: bold });
  y -= 34;
  const facts: Array<[string, string]> = [
    ['Invoice number', invoice.number ?? 'DRAFT (the period is open: amounts are an estimate)'],
    ['Period', `${invoice.period_start.slice(0, 10)} to ${lastDay(invoice.period_end)} (UTC)`],
    ['Partner', `${invoice.client_name} (${invoice.client_id})`],
    ['Plan', `${invoice.tier}, version ${invoice.plan_version}`],
    ['Currency', invoice.currency],
    [invoice.finalized_at ? 'Finalized' : 'Computed', at.toISOString()],
  ];
  for (const [label, value] of facts) {
    text(label, MARGIN, { color: MUTED });
    text(value, MARGIN + 110);
    y -= 16;
  }

  y -= 16;
  text('Product', MARGIN, { font: bold });
  for (const column of COLUMNS) text(column.title, column.right, { font: bold, alignRight: true });
  y -= 18;
  for (const line of invoice.lines) {
    text(line.product, MARGIN);
    const cells = [String(line.quantity), String(line.included), String(line.overage), money(line.unit_price), money(line.amount)];
    COLUMNS.forEach((column, index) => text(cells[index]!, column.right, { alignRight: true }));
    y -= 16;
  }
  if (invoice.lines.length === 0) {
    text('No billable usage in the period.', MARGIN, { color: MUTED });
    y -= 16;
  }

  y -= 12;
  const totals: Array<[string, string, boolean]> = [
    ['Subtotal', money(invoice.subtotal), false],
    ['Deposits and credits applied', money(-invoice.deposits_applied), false],
    [`Total (${invoice.currency})`, money(invoice.total), true],
  ];
  for (const [label, value, strong] of totals) {
    text(label, COLUMNS[2].right, { alignRight: true, ...(strong ? { font: bold } : {}) });
    text(value, COLUMNS[4].right, { alignRight: true, ...(strong ? { font: bold } : {}) });
    y -= 16;
  }
  y -= 12;
  text(`Amounts in ${invoice.currency}. Included outcomes are free; each further one is charged at its unit price.`, MARGIN, { size: 8, color: MUTED });
  return doc.save();
}
