import { z } from 'zod';
import { PRODUCTS } from '#modules/metering/products.ts';

const Minor = z.number().int();

export const InvoiceSchema = z
  .object({
    id: z.string().describe('`inv_...`'),
    number: z.string().nullable().describe('`<currency>-<year>-<6 digits>`, without gaps per currency and year; null while draft'),
    status: z.enum(['draft', 'finalized']).describe('`draft`: the month is open, amounts are a running estimate; `finalized`: closed, numbered, never changes again'),
    client_id: z.string(),
    client_name: z.string(),
    period_start: z.string().describe('First instant of the UTC month billed (ISO 8601)'),
    period_end: z.string().describe('First instant of the next month (exclusive)'),
    currency: z.string().describe('ISO 4217; every amount is integer minor units of it'),
    tier: z.string(),
    plan_version: z.number().int(),
    lines: z.array(z.object({
      product: z.enum(PRODUCTS),
      quantity: Minor.describe('Billable outcomes in the month'),
      included: Minor.describe('Of which included in the plan (free)'),
      overage: Minor.describe('quantity - included'),
      unit_price: Minor,
      amount: Minor.describe('overage x unit_price'),
    })).describe('One per product with usage in the month'),
    subtotal: Minor,
    deposits_applied: Minor.describe('Deposits, refunds and adjustments of the month (net; a negative adjustment counts against the others), applied up to the subtotal'),
    total: Minor.describe('subtotal - deposits_applied'),
    computed_at: z.string(),
    finalized_at: z.string().nullable(),
  })
  .meta({ id: 'Invoice' });

export const InvoiceListSchema = z.object({ invoices: z.array(InvoiceSchema) }).meta({ id: 'InvoiceList' });

export const InvoiceIdParams = z.strictObject({ id: z.string().regex(/^inv_[0-9a-z]{26}$/, 'must be an invoice id') });

export const ExportPeriodParams = z.strictObject({ period: z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'must be a month: YYYY-MM') });
