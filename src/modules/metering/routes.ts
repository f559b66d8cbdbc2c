import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Pool } from '#platform/db/pool.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import { GRANULARITIES, partnerUsage } from './partner-usage.ts';
import { PRODUCTS } from './products.ts';
import { usageSeries } from './usage-series.ts';

const UsageQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    claim_type: z.enum(CLAIM_TYPES).optional(),
    verifier_id: z.string().regex(/^cli_[0-9a-z]{26}$/, 'must be a client id').optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'must be after from', path: ['to'] });

const PartnerUsageQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional().describe('Counted from the start of this hour (UTC)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Hours starting before this instant'),
    product: z.enum(PRODUCTS).optional(),
    granularity: z.enum(GRANULARITIES).default('day'),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'must be after from', path: ['to'] });

const PartnerUsageResponse = z
  .object({
    granularity: z.enum(GRANULARITIES),
    series: z.array(z.object({ period_start: z.string().describe('ISO 8601, UTC'), product: z.enum(PRODUCTS), quantity: z.number().int() })),
  })
  .meta({ id: 'PartnerUsage' });

const UsageResponse = z.object({ series: z.array(z.object({ date: z.string(), verified: z.number().int(), failed: z.number().int() })) }).meta({ id: 'UsageSeries' });

export function registerMeteringRoutes(app: FastifyInstance, deps: { pool: Pool }): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/usage', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getPartnerUsage',
      tags: ['Partner'],
      summary: 'Your usage per product and UTC hour, day or month',
      description: 'Billable outcomes of the calling partner, current to the last one recorded (the hourly aggregates plus the events not aggregated yet). Only periods with usage are listed.',
      querystring: PartnerUsageQuery,
      response: { 200: jsonResponse('Usage per period and product', PartnerUsageResponse), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const q = request.query;
    const series = await partnerUsage(deps, {
      clientId: partnerOf(request).id,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      product: q.product,
      granularity: q.granularity,
    });
    return { granularity: q.granularity, series };
  });

  app.withTypeProvider<ZodTypeProvider>().get('/api/admin/usage', {
    config: { access: access.admin },
    schema: {
      operationId: 'getUsage',
      tags: ['Admin'],
      summary: 'Usage analytics: verified and failed verifications per day (UTC)',
      description: 'Counts from the usage aggregates plus the events not aggregated yet, one row per UTC day between `from` and `to`, optionally for one claim type or one partner (`verifier_id`).',
      querystring: UsageQuery,
      response: { 200: jsonResponse('Verified and failed verifications per UTC day', UsageResponse), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const q = request.query;
    return {
      series: await usageSeries(deps, {
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.claim_type ? { claimType: q.claim_type } : {}),
        ...(q.verifier_id ? { clientId: q.verifier_id } : {}),
      }),
    };
  });
}
