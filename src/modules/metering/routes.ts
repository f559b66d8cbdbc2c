import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Pool } from '#platform/db/pool.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import { usageSeries } from './usage-series.ts';

const UsageQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    claim_type: z.enum(CLAIM_TYPES).optional(),
    verifier_id: z.string().regex(/^cli_[0-9a-z]{26}$/, 'must be a client id').optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'must be after from', path: ['to'] });

const UsageResponse = z.object({ series: z.array(z.object({ date: z.string(), verified: z.number().int(), failed: z.number().int() })) }).meta({ id: 'UsageSeries' });

export function registerMeteringRoutes(app: FastifyInstance, deps: { pool: Pool }): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/admin/usage', {
    config: { access: access.admin },
    schema: {
      operationId: 'getUsage',
      tags: ['Admin'],
      summary: 'Usage analytics: verified and failed verifications per day (UTC)',
      description: 'Counts from the metering events, one row per UTC day between `from` and `to`, optionally for one claim type or one partner (`verifier_id`).',
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
