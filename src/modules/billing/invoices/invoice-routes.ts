import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import type { InvoiceDeps } from './compute-invoice.ts';
import { findInvoices, type Invoice } from './find-invoices.ts';
import { invoicesCsv } from './invoice-csv.ts';
import { ExportPeriodParams, InvoiceIdParams, InvoiceListSchema, InvoiceSchema } from './invoice-schema.ts';
import { refreshDraftInvoices } from './refresh-draft-invoices.ts';
import { billingExportKey } from './write-billing-exports.ts';

export type InvoiceRouteDeps = InvoiceDeps & { clock: Clock; storage: ObjectStorage };

const TAGS = ['Partner'];
const ID_DESCRIPTION = 'A draft is recomputed from the usage so far on each read; a finalized invoice never changes.';

/** A finalized invoice is the same bytes forever; a draft changes with usage. */
/** pdf-lib and its fonts are loaded by the first PDF asked for: most servers never render one. */
const loadInvoicePdf = () => import('./render-invoice-pdf.ts');

const cacheControl = (invoice: Invoice) => (invoice.status === 'finalized' ? 'private, max-age=86400, immutable' : 'private, no-cache');

/** Invoices: the partner's own (JSON, PDF, CSV; drafts recomputed on read) and the operator's monthly export. */
export function registerInvoiceRoutes(app: FastifyInstance, deps: InvoiceRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const ownInvoice = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<Invoice> => {
    const clientId = partnerOf(request).id;
    const [found] = await findInvoices(deps.pool, { id: request.params.id, clientId });
    if (!found) throw new ApiError('NOT_FOUND', `no invoice ${request.params.id}`);
    if (found.status === 'finalized') return found;
    await refreshDraftInvoices(deps, clientId, deps.clock.now());
    const [fresh] = await findInvoices(deps.pool, { id: found.id });
    return fresh!;
  };
  const send = (reply: FastifyReply, invoice: Invoice, type: string, extension: string, body: Uint8Array | string) =>
    reply
      .header('content-type', type)
      .header('content-disposition', `attachment; filename="invoice-${invoice.number ?? `${invoice.id}-draft`}.${extension}"`)
      .header('cache-control', cacheControl(invoice))
      .send((typeof body === 'string' ? body : Buffer.from(body)) as never);

  r.get('/api/v1/billing/invoices', {
    config: { access: access.partner() },
    schema: {
      operationId: 'listInvoices',
      tags: TAGS,
      summary: 'Your invoices, one per UTC month with a plan (the current month as a draft estimate)',
      description: `Oldest month first. The current month's invoice is a \`draft\` with the usage so far; after the month closes the global manager finalizes it (numbered, immutable, \`invoice.finalized\` webhook). ${ID_DESCRIPTION} Amounts are integer minor units of \`currency\`.`,
      response: { 200: jsonResponse('Your invoices', InvoiceListSchema), ...errorResponses(401) },
    },
  }, async (request) => {
    const clientId = partnerOf(request).id;
    await refreshDraftInvoices(deps, clientId, deps.clock.now());
    return { invoices: await findInvoices(deps.pool, { clientId }) };
  });

  r.get('/api/v1/billing/invoices/:id', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getInvoice',
      tags: TAGS,
      summary: 'One of your invoices: lines per product, deposits and credits applied, totals',
      description: ID_DESCRIPTION,
      params: InvoiceIdParams,
      response: { 200: jsonResponse('The invoice', InvoiceSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => ownInvoice(request));

  r.get('/api/v1/billing/invoices/:id.pdf', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getInvoicePdf',
      tags: TAGS,
      summary: 'One of your invoices as a PDF',
      description: `Number (or DRAFT), period, partner, plan, a row per product, subtotal, deposits and credits applied, total, currency. ${ID_DESCRIPTION}`,
      params: InvoiceIdParams,
      response: { 200: textResponse('The PDF', 'application/pdf'), ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const invoice = await ownInvoice(request);
    return send(reply, invoice, 'application/pdf', 'pdf', await (await loadInvoicePdf()).renderInvoicePdf(invoice));
  });

  r.get('/api/v1/billing/invoices/:id.csv', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getInvoiceCsv',
      tags: TAGS,
      summary: 'One of your invoices as CSV (a row per line, then the deposits and credits applied)',
      description: `RFC 4180 with a header row; amounts in integer minor units; the \`deposits_applied\` row is negative, so the amounts add up to the total. ${ID_DESCRIPTION}`,
      params: InvoiceIdParams,
      response: { 200: textResponse('The CSV', 'text/csv'), ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const invoice = await ownInvoice(request);
    return send(reply, invoice, 'text/csv; charset=utf-8', 'csv', invoicesCsv([invoice]));
  });

  r.get('/api/admin/billing/exports/:period.csv', {
    config: { access: access.admin },
    schema: {
      operationId: 'getBillingExport',
      tags: ['Admin'],
      summary: 'Every invoice line of a closed month, all partners (CSV)',
      description: 'Written to object storage (`billing/exports/<YYYY-MM>.csv`) by the global manager once the month\'s invoices are finalized; 404 before then. The same columns as a partner\'s invoice CSV.',
      params: ExportPeriodParams,
      response: { 200: textResponse('The CSV', 'text/csv'), ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const body = await deps.storage.get(billingExportKey(request.params.period));
    if (!body) throw new ApiError('NOT_FOUND', `no billing export for ${request.params.period} (its invoices are not finalized yet)`);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="billing-${request.params.period}.csv"`)
      .send(body as never);
  });
}
