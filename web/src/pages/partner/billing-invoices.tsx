import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { allOr, FilterSelect } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { NameCell, pageOf, Pagination, Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { useToast } from '../../components/ui/toast.tsx';
import { attachmentName, downloadBlob } from '../../lib/download.ts';
import { formatDateTime, formatMoney, formatMonth } from '../../lib/format.ts';
import { PRODUCT_LABELS } from './products.ts';

type Invoice = Schemas['Invoice'];
type InvoiceStatus = Invoice['status'];
type FileFormat = 'pdf' | 'csv';

const PAGE_SIZE = 12;
const STATUS_TONE = { draft: 'warning', finalized: 'success' } as const satisfies Record<InvoiceStatus, string>;
const STATUSES = Object.keys(STATUS_TONE) as InvoiceStatus[];

const invoiceName = (invoice: Invoice) => invoice.number ?? `Draft for ${formatMonth(invoice.period_start)}`;

/** An invoice's PDF or CSV, fetched with the session like any call (errors shown the same way), saved under the server's file name. */
function useInvoiceDownload() {
  const api = useApi();
  const toast = useToast();
  return useMutation({
    mutationFn: async ({ invoice, format }: { invoice: Invoice; format: FileFormat }) => {
      const params = { path: { id: invoice.id } };
      const call =
        format === 'pdf'
          ? api.client.GET('/api/v1/billing/invoices/{id}.pdf', { params, parseAs: 'blob' })
          : api.client.GET('/api/v1/billing/invoices/{id}.csv', { params, parseAs: 'blob' });
      const blob = await unwrap(call);
      const { response } = await call;
      downloadBlob(attachmentName(response.headers.get('content-disposition'), `invoice-${invoice.id}.${format}`), blob);
    },
    onError: (error) => toast.problem(error, 'Could not download the invoice'),
  });
}

function DownloadButtons({ invoice, download }: { invoice: Invoice; download: ReturnType<typeof useInvoiceDownload> }) {
  const busy = (format: FileFormat) => download.isPending && download.variables.invoice.id === invoice.id && download.variables.format === format;
  return (
    <>
      {(['pdf', 'csv'] as const).map((format) => (
        <Button key={format} variant="outline" size="sm" busy={busy(format)} aria-label={`${format.toUpperCase()} of ${invoiceName(invoice)}`} onClick={() => download.mutate({ invoice, format })}>
          {format.toUpperCase()}
        </Button>
      ))}
    </>
  );
}

function InvoiceDialog({ invoice, onClose, download }: { invoice: Invoice | undefined; onClose: () => void; download: ReturnType<typeof useInvoiceDownload> }) {
  const money = (minor: number) => (invoice ? formatMoney(minor, invoice.currency) : '');
  return (
    <Dialog
      open={invoice !== undefined}
      onClose={onClose}
      title={invoice ? invoiceName(invoice) : ''}
      description={
        invoice &&
        (invoice.status === 'draft'
          ? `A running estimate of ${formatMonth(invoice.period_start)} (computed ${formatDateTime(invoice.computed_at)}): it follows your usage until the month closes.`
          : `${formatMonth(invoice.period_start)}, finalized ${formatDateTime(invoice.finalized_at)}: it never changes.`)
      }
      footer={
        invoice && (
          <>
            <DownloadButtons invoice={invoice} download={download} />
            <Button onClick={onClose}>Done</Button>
          </>
        )
      }
    >
      {invoice && (
        <div className="grid grid-cols-1 gap-4" data-invoice-detail={invoice.id}>
          <p className="text-sm">
            Plan {invoice.tier}, version {invoice.plan_version} · amounts in {invoice.currency}
          </p>
          <Table label={`Lines of ${invoiceName(invoice)}`}>
            <THead>
              <Tr>
                <Th>Product</Th>
                <Th className="text-right">Used</Th>
                <Th className="text-right">Included</Th>
                <Th className="text-right">Beyond × price</Th>
                <Th className="text-right">Amount</Th>
              </Tr>
            </THead>
            <TBody>
              {invoice.lines.length === 0 && (
                <Tr>
                  <Td colSpan={5} className="text-center text-muted-foreground">
                    No usage this month.
                  </Td>
                </Tr>
              )}
              {invoice.lines.map((line) => (
                <Tr key={line.product} data-line={line.product}>
                  <Td>{PRODUCT_LABELS[line.product]}</Td>
                  <Td className="text-right tabular-nums">{line.quantity.toLocaleString()}</Td>
                  <Td className="text-right tabular-nums">{line.included.toLocaleString()}</Td>
                  <Td className="text-right whitespace-nowrap tabular-nums">
                    {line.overage.toLocaleString()} × {money(line.unit_price)}
                  </Td>
                  <Td className="text-right tabular-nums">{money(line.amount)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <Figures
            className="grid-cols-1 sm:grid-cols-3"
            items={[
              ['Subtotal', money(invoice.subtotal)],
              ['Deposits and credits applied', money(-invoice.deposits_applied)],
              ['Total', money(invoice.total)],
            ]}
          />
        </div>
      )}
    </Dialog>
  );
}

/** One invoice per UTC month on a plan, newest first; the current month's is a draft. */
export function InvoicesCard() {
  const api = useApi();
  const [status, setStatus] = useState<InvoiceStatus | 'all'>('all');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Invoice | undefined>();
  const download = useInvoiceDownload();
  const invoices = useQuery({ queryKey: ['partner', 'invoices'], queryFn: () => unwrap(api.client.GET('/api/v1/billing/invoices')) });
  // The API lists them oldest first (a few a year): newest first here, filtered and paged in the browser.
  const all = (invoices.data?.invoices ?? []).toReversed();
  const filtered = all.filter((invoice) => status === 'all' || invoice.status === status);
  const shown = pageOf(filtered, page, PAGE_SIZE);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Invoices</CardTitle>
        <CardDescription>
          One per month on a plan. The current month&apos;s is a draft that follows your usage; a few minutes after the month ends it is finalized: numbered, and never changed again.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="max-w-56">
          <FilterSelect
            label="Invoice status"
            value={status}
            options={allOr(STATUSES)}
            onChange={(value) => {
              setStatus(value);
              setPage(1);
            }}
          />
        </div>
        <QueryState
          query={invoices}
          what="your invoices"
          empty={filtered.length === 0 && <StatusFilterEmptyState status={status} noun="invoices" whatFillsIt="Each month you are on a plan gets an invoice, drafted from the first billable outcome." />}
        >
          <div>
            <Table label="Invoices">
              <THead>
                <Tr>
                  <Th>Month</Th>
                  <Th>Invoice</Th>
                  <Th>Status</Th>
                  <Th className="text-right">Total</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </Tr>
              </THead>
              <TBody>
                {shown.rows.map((invoice) => (
                  <Tr key={invoice.id} data-invoice={invoice.id} data-status={invoice.status}>
                    <Td className="whitespace-nowrap">{formatMonth(invoice.period_start)}</Td>
                    <NameCell name={invoice.number ?? 'Draft'} id={invoice.id} />
                    <Td>
                      <Badge tone={STATUS_TONE[invoice.status]}>{invoice.status}</Badge>
                    </Td>
                    <Td className="text-right whitespace-nowrap tabular-nums">{formatMoney(invoice.total, invoice.currency)}</Td>
                    <Td>
                      <div className="flex gap-2">
                        <Button variant="outline" size="sm" aria-label={`Details of ${invoiceName(invoice)}`} onClick={() => setOpen(invoice)}>
                          Details
                        </Button>
                        <DownloadButtons invoice={invoice} download={download} />
                      </div>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} />
          </div>
        </QueryState>
        <InvoiceDialog invoice={open} onClose={() => setOpen(undefined)} download={download} />
      </CardContent>
    </Card>
  );
}
