import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { ClientIdParams } from '#modules/clients/schema.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import { assignClientPlan } from './assign-client-plan.ts';
import { clientPlanAt, scheduledClientPlan } from './client-plan.ts';
import { findPlan } from './find-plan.ts';
import { PlanSchema, PlanTermsSchema, TIERS, TierParams } from './plan-schema.ts';
import { updatePlan } from './update-plan.ts';

type Deps = { pool: Pool; clock: Clock; currency: string };

const ClientPlanBody = z
  .strictObject({
    tier: z.enum(TIERS),
    effective: z.enum(['now', 'next_period']).default('next_period').describe("`now` only for a client's first plan"),
  })
  .meta({ id: 'ClientPlanAssignment' });

const PlanEditQuery = z.strictObject({
  effective: z.enum(['now', 'next_period']).default('next_period').describe('`now` only for a tier no partner has been on this month'),
});

const ClientPlanAssigned = z.object({ client_id: z.string(), tier: z.enum(TIERS), effective_from: z.string() }).meta({ id: 'ClientPlanAssigned' });

const PartnerPlan = z
  .object({
    tier: z.enum(TIERS).nullable().describe('null: no plan (the default rate limit, nothing billed)'),
    since: z.string().nullable(),
    plan: PlanSchema.nullable(),
    next_tier: z.object({ tier: z.enum(TIERS), effective_from: z.string() }).nullable().describe('A change of tier scheduled for the next period'),
  })
  .meta({ id: 'PartnerPlan' });

/** Plans: the operator's tiers and assignments, the partner's own plan. */
export function registerBillingRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/admin/plans/:tier', {
    config: { access: access.admin },
    schema: {
      operationId: 'getPlan',
      tags: ['Admin'],
      summary: 'A tier: the version in force and an edit waiting for the next period',
      description: 'The tier\'s terms in force now (`current`: version, per-product included quota and overage price in minor units of BILLING_CURRENCY, rate limit, monthly spending cap) and an edit waiting for the next UTC month (`next`), if any.',
      params: TierParams,
      response: { 200: jsonResponse('The tier', PlanSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => findPlan(deps, request.params.tier, deps.clock.now()));

  r.put('/api/admin/plans/:tier', {
    config: { access: access.admin },
    schema: {
      operationId: 'updatePlan',
      tags: ['Admin'],
      summary: 'Edit a tier: a new version, effective from the next billing period (UTC month)',
      description: 'Plans are versioned: the edit becomes a new version effective from the first day of the next UTC month, so a month is always billed on one version. A second edit in the same month replaces the waiting version. `?effective=now`: the version is in force for the whole current month, accepted only while no partner has been on the tier this month (409 otherwise).',
      params: TierParams,
      querystring: PlanEditQuery,
      body: PlanTermsSchema,
      response: { 200: jsonResponse('The tier with its new version waiting in `next` (in `current` with `effective=now`)', PlanSchema), ...errorResponses(400, 401, 409) },
    },
  }, async (request) => {
    const result = await updatePlan(deps, request.params.tier, request.body, request.query.effective, adminActor(request));
    if (!result.ok) throw new ApiError(result.code, result.message);
    return result.value;
  });

  r.put('/api/admin/clients/:id/plan', {
    config: { access: access.admin },
    schema: {
      operationId: 'assignClientPlan',
      tags: ['Admin'],
      summary: "Put a partner on a tier from the next period (`effective: \"now\"` for its first plan)",
      description: 'The partner moves to the tier on the first day of the next UTC month. `effective: "now"` is accepted only for a partner\'s first plan (409 otherwise). A second change before then replaces the scheduled one.',
      params: ClientIdParams,
      body: ClientPlanBody,
      response: { 200: jsonResponse('The assignment', ClientPlanAssigned), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request) => {
    const result = await assignClientPlan(deps, request.params.id, request.body, adminActor(request));
    if (!result.ok) throw new ApiError(result.code, result.message);
    return { client_id: request.params.id, tier: result.value.tier, effective_from: result.value.effectiveFrom.toISOString() };
  });

  r.get('/api/v1/billing/plan', {
    config: { access: access.partner() },
    schema: {
      operationId: 'getBillingPlan',
      tags: ['Partner'],
      summary: 'Your plan: tier, quotas, prices, rate limit and spending cap',
      description: 'The plan in force for the calling partner (null before the operator assigns one) with its terms, and a change scheduled for the next UTC month, if any.',
      response: { 200: jsonResponse('Your plan now, and a change scheduled for the next period', PartnerPlan), ...errorResponses(401) },
    },
  }, async (request) => {
    const clientId = partnerOf(request).id;
    const now = deps.clock.now();
    const current = await clientPlanAt(deps, clientId, now);
    const scheduled = await scheduledClientPlan(deps, clientId, now);
    return {
      tier: current?.tier ?? null,
      since: current?.since.toISOString() ?? null,
      plan: current ? await findPlan(deps, current.tier, now) : null,
      next_tier: scheduled && scheduled.tier !== current?.tier ? { tier: scheduled.tier, effective_from: scheduled.effectiveFrom.toISOString() } : null,
    };
  });
}
