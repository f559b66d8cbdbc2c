import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { createUsageRecorder } from '#modules/metering/create-usage-recorder.ts';
import { CAPABILITIES } from './capabilities.ts';
import { getAgent } from './get-agent.ts';
import { listControllerAgents } from './list-controller-agents.ts';
import { readController } from './read-controller.ts';
import { refusal, TAGS, type AgentRegistryDeps } from './routes.ts';
import {
  AgentIdParams,
  AgentQuerySchema,
  ControllerCapabilitiesSchema,
  ControllerParams,
  RegistrationFileSchema,
  RegistryAgentPageSchema,
  registrationUrl,
  toRegistrationFile,
  toRegistryAgent,
} from './schema.ts';
import { decodeCursor, searchAgents } from './search-agents.ts';

const publicAccess = { access: access.publicRateLimited };
const NOT_MODIFIED = { 304: z.null().describe('Not modified: `If-None-Match` names the current ETag') };
/** Public answers may be up to this old in caches; the ETag makes revalidation cheap. */
const MAX_AGE_SECONDS = 30;

/** Sends `body` with a strong ETag over its JSON, or 304 when the client holds that version. */
function cacheable<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | undefined {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;
  reply.header('etag', etag).header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`).header('vary', 'accept-encoding');
  const held = request.headers['if-none-match']?.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!held?.includes(etag) && !held?.includes('*')) return body;
  void reply.code(304).send(null);
  return undefined;
}

/** The public side of the agent registry: the query, an agent's registration file, a controller's capabilities. */
export function registerAgentRegistryPublicRoutes(app: FastifyInstance, deps: AgentRegistryDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const usage = createUsageRecorder(deps);

  r.get('/api/v1/agents', {
    config: { access: access.paidPublic },
    schema: {
      operationId: 'searchAgents',
      tags: TAGS,
      summary: 'Find agents: by capability, tag, reputation, verification and full text',
      description:
        'Live agents matching every filter given: `capability` (from the vocabulary; an unknown one is 400 `UNKNOWN_CAPABILITY` with the list), `tag`, ' +
        '`min_score` / `min_confidence` (the reputation summary, 0..1; agents without a score never match `min_score`), `verified`, and `q` (full text over name and ' +
        'description, websearch syntax: words, "phrases", -exclusions, or). `sort=recent` (newest first, the default) or `sort=score` (highest first, unscored last). ' +
        'Cursor-paginated: pass `next_cursor` as `cursor` with the same sort. Public, rate limited per IP, cacheable (`Cache-Control`, `ETag`). ' +
        'When the operator sets a price (X402_PAY_TO), a call without a partner key pays with x402: without a payment 402 `PAYMENT_REQUIRED` (v1 `accepts` in the body, ' +
        'v2 `PAYMENT-REQUIRED` header); with `X-PAYMENT` (v1) or `PAYMENT-SIGNATURE` (v2) the payment is verified, spent once and answered in `X-PAYMENT-RESPONSE` / `PAYMENT-RESPONSE`. ' +
        'A partner key (`X-Api-Key`) is never charged: its query is metered instead (`agent_query`, one per answered request, 304 included).',
      querystring: AgentQuerySchema,
      response: { 200: jsonResponse('A page of agents', RegistryAgentPageSchema), ...NOT_MODIFIED },
    },
  }, async (request, reply) => {
    const query = request.query;
    if (query.capability !== undefined && !(CAPABILITIES as readonly string[]).includes(query.capability)) {
      throw refusal({ ok: false, code: 'UNKNOWN_CAPABILITY', message: `unknown capability ${query.capability}`, unknown: [query.capability] });
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.sort, query.cursor);
    if (query.cursor !== undefined && !after) throw new ApiError('VALIDATION_FAILED', `querystring.cursor: not a cursor of sort=${query.sort}`, { fields: ['querystring.cursor'] });
    const page = await searchAgents(deps, {
      capability: query.capability, tag: query.tag, minScore: query.min_score, minConfidence: query.min_confidence,
      verified: query.verified === undefined ? undefined : query.verified === 'true', q: query.q, sort: query.sort,
    }, { limit: query.limit, after });
    // A partner's answered query is billed (its plan's agent_query); anonymous ones are free or paid by x402.
    if (request.client) await usage.submit({ clientId: request.client.id, kind: 'agents.query', claimType: null, outcome: 'answered', subjectId: request.id, at: deps.clock.now() });
    return cacheable(request, reply, { data: page.rows.map(toRegistryAgent), next_cursor: page.nextCursor });
  });

  r.get('/agents/:id/registration.json', {
    config: publicAccess,
    schema: {
      operationId: 'getAgentRegistrationFile',
      tags: TAGS,
      summary: 'An agent\'s public card: its ERC-8004 registration file',
      description: 'The card as ERC-8004 shapes it (`type`, `name`, `description`, `image`, `endpoints`, `registrations`, `supportedTrust`), and under `veridity` the registry\'s facts: controller, verification, capabilities, pricing, reputation. Deactivated agents: 404.',
      params: AgentIdParams,
      response: { 200: jsonResponse('The registration file', RegistrationFileSchema), ...NOT_MODIFIED, ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const agent = await getAgent(deps, request.params.id, 'public');
    if (!agent) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    return cacheable(request, reply, toRegistrationFile(agent, deps.publicUrl));
  });

  r.get('/agents/:did/capabilities', {
    config: publicAccess,
    schema: {
      operationId: 'getControllerCapabilities',
      tags: TAGS,
      summary: 'What a controller\'s verified agents can do',
      description: 'The live agents whose ownership the controller (`did:pkh:...`, any address spelling) proved, with their capabilities and tags. An agent registered under the DID without a proof is not listed.',
      params: ControllerParams,
      response: { 200: jsonResponse('The controller\'s verified agents', ControllerCapabilitiesSchema), ...NOT_MODIFIED },
    },
  }, async (request, reply) => {
    const controller = readController(request.params.did);
    if (!controller.ok) throw new ApiError('VALIDATION_FAILED', `params.did: ${controller.message}`, { fields: ['params.did'] });
    const agents = await listControllerAgents(deps, controller.value.did);
    return cacheable(request, reply, {
      controller: controller.value.did,
      agents: agents.map((agent) => ({ id: agent.id, name: agent.name, capabilities: agent.capabilities, tags: agent.tags, registration_url: registrationUrl(agent.id) })),
    });
  });
}
