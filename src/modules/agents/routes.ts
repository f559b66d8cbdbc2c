import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { AGENTS_SCOPE } from '#modules/clients/schema.ts';
import { CAPABILITIES } from './capabilities.ts';
import { createChallenge } from './create-challenge.ts';
import { deactivateAgent } from './deactivate-agent.ts';
import { getAgent } from './get-agent.ts';
import { listPartnerAgents } from './list-partner-agents.ts';
import { registerAgent, type AgentWriteFailure } from './register-agent.ts';
import {
  AgentIdParams,
  AgentRegistrationSchema,
  AgentUpdateSchema,
  ChallengeRequestSchema,
  ChallengeSchema,
  OwnershipProofRequestSchema,
  PartnerAgentQuerySchema,
  RegistryAgentPageSchema,
  RegistryAgentSchema,
  toRegistryAgent,
} from './schema.ts';
import { updateAgent } from './update-agent.ts';
import { verifyAgentOwnership } from './verify-agent-ownership.ts';

export type AgentRegistryDeps = { pool: Pool; clock: Clock; publicUrl: string };

export const TAGS = ['Agent registry'];
const partner = { access: access.partner([AGENTS_SCOPE]) };

/** The API error of a refused write, with the details its code carries. */
export function refusal(failure: AgentWriteFailure | { ok: false; code: 'VALIDATION_FAILED' | 'NOT_FOUND'; message: string }): ApiError {
  if (failure.code === 'UNKNOWN_CAPABILITY') return new ApiError(failure.code, failure.message, { unknown: failure.unknown, capabilities: CAPABILITIES, fields: ['body.capabilities'] });
  if (failure.code === 'CHALLENGE_INVALID' || failure.code === 'OWNERSHIP_PROOF_INVALID') return new ApiError(failure.code, failure.message, { reason: failure.reason });
  if (failure.code === 'VALIDATION_FAILED') return new ApiError(failure.code, failure.message, { fields: [failure.message.split(':')[0]] });
  return new ApiError(failure.code, failure.message);
}

const PROOF_ERRORS =
  'A refused proof: 422 `CHALLENGE_INVALID` (`reason` UNKNOWN, MISMATCH: bound to another controller or agent, EXPIRED), 409 `NONCE_REPLAY` (the challenge was used), ' +
  '422 `OWNERSHIP_PROOF_INVALID` (`reason` MALFORMED_SIGNATURE, SIGNER_MISMATCH: not the controller\'s signature).';

/** The partner side of the agent registry (scope `agents`): challenges, registration, changes, deactivation. */
export function registerAgentRegistryRoutes(app: FastifyInstance, deps: AgentRegistryDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/agents/challenge', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'createAgentChallenge',
      tags: TAGS,
      summary: 'A challenge for an agent\'s controller to sign (ownership proof)',
      description:
        'The message (EIP-4361 layout) binds your partner id, the controller and, with `agent_id`, that agent of yours; it can be used once, within 10 minutes. ' +
        'Solana controllers sign its UTF-8 bytes with Ed25519 (wallet `signMessage`); EVM controllers sign it with EIP-191 `personal_sign` (SIWE). ' +
        'Send `{challenge_id, signature}` as `ownership_proof` of POST /api/v1/agents, or to POST /api/v1/agents/{id}/verify.',
      body: ChallengeRequestSchema,
      response: { 201: jsonResponse('The challenge', ChallengeSchema), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const result = await createChallenge(deps, clientId, { controller: request.body.controller, agentId: request.body.agent_id });
    if (!result.ok) throw refusal(result);
    const challenge = result.value;
    return reply.code(201).send({
      id: challenge.id, message: challenge.message, controller: challenge.controllerDid, agent_id: challenge.agentId,
      signing: challenge.controllerDid.startsWith('did:pkh:solana:') ? 'solana-ed25519' : 'eip191', expires_at: challenge.expiresAt.toISOString(),
    });
  });

  r.post('/api/v1/agents', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'registerAgent',
      tags: TAGS,
      summary: 'Register an agent: its card (ERC-8004 shape), capabilities, pricing hints and controller',
      description:
        'Capabilities come from a controlled vocabulary (an unknown one: 400 `UNKNOWN_CAPABILITY` with the list); `tags` are free. ' +
        'With `ownership_proof` (a challenge for a new agent, signed by the controller) the agent is `verified` at once, otherwise `unverified`. ' +
        `${PROOF_ERRORS} A refused proof registers nothing. A controller account has one live verified agent of a name (409 \`CONFLICT\`).`,
      body: AgentRegistrationSchema,
      response: { 201: jsonResponse('The agent', RegistryAgentSchema), ...errorResponses(409, 422) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const body = request.body;
    const result = await registerAgent(deps, clientId, {
      name: body.name, description: body.description ?? '', image: body.image ?? null, endpoints: body.endpoints ?? [], supportedTrust: body.supported_trust ?? [],
      capabilities: body.capabilities, tags: body.tags ?? [], pricing: body.pricing ?? [], tee: body.tee ?? null, controller: body.controller,
      ownershipProof: body.ownership_proof && { challengeId: body.ownership_proof.challenge_id, signature: body.ownership_proof.signature },
    });
    if (!result.ok) throw refusal(result);
    return reply.code(201).send(toRegistryAgent(result.value));
  });

  r.get('/api/v1/agents/mine', {
    config: partner,
    schema: {
      operationId: 'listMyAgents',
      tags: TAGS,
      summary: 'Your registered agents (deactivated ones too), newest first',
      description:
        'What you registered, as GET /api/v1/agents/{id} answers each: unlike the public query (GET /api/v1/agents), unverified and deactivated agents are listed, ' +
        'and only yours. Filters: `status`, `capability` (one of the vocabulary), `name` (part of it, any case). ' +
        'Cursor-paginated: pass `next_cursor` as `cursor`.',
      querystring: PartnerAgentQuerySchema,
      response: { 200: jsonResponse('A page of your agents', RegistryAgentPageSchema) },
    },
  }, async (request) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const query = request.query;
    const page = await listPartnerAgents(deps, clientId, { status: query.status, capability: query.capability, name: query.name }, { limit: query.limit, before: query.cursor });
    return { data: page.rows.map(toRegistryAgent), next_cursor: page.nextBefore };
  });

  r.get('/api/v1/agents/:id', {
    config: partner,
    schema: {
      operationId: 'getRegistryAgent',
      tags: TAGS,
      summary: 'One of your registered agents (deactivated ones too)',
      description: 'The agent as you registered it, with its verification state, controller, capabilities and reputation summary. Another partner\'s agent: 404.',
      params: AgentIdParams,
      response: { 200: jsonResponse('The agent', RegistryAgentSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const agent = await getAgent(deps, request.params.id, { clientId: requireScope(request, AGENTS_SCOPE).id });
    if (!agent) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    return toRegistryAgent(agent);
  });

  r.patch('/api/v1/agents/:id', {
    config: partner,
    schema: {
      operationId: 'updateRegistryAgent',
      tags: TAGS,
      summary: 'Change an agent\'s card, capabilities, pricing or controller',
      description: 'Only the fields sent change. A new controller makes the agent `unverified` until it signs a challenge (POST /api/v1/agents/{id}/verify). A deactivated agent: 409 `CONFLICT`.',
      params: AgentIdParams,
      body: AgentUpdateSchema,
      response: { 200: jsonResponse('The agent', RegistryAgentSchema), ...errorResponses(404, 409) },
    },
  }, async (request) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const body = request.body;
    const result = await updateAgent(deps, clientId, request.params.id, {
      name: body.name, description: body.description, image: body.image, endpoints: body.endpoints, supportedTrust: body.supported_trust,
      capabilities: body.capabilities, tags: body.tags, pricing: body.pricing, tee: body.tee, controller: body.controller,
    });
    if (!result.ok) throw refusal(result);
    return toRegistryAgent(result.value);
  });

  r.delete('/api/v1/agents/:id', {
    config: partner,
    schema: {
      operationId: 'deactivateRegistryAgent',
      tags: TAGS,
      summary: 'Deactivate an agent: it leaves the public registry',
      description: 'The agent stays readable by you (status `deactivated`) and takes no more changes. Deactivating again answers the agent as it is.',
      params: AgentIdParams,
      response: { 200: jsonResponse('The agent, deactivated', RegistryAgentSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const agent = await deactivateAgent(deps, requireScope(request, AGENTS_SCOPE).id, request.params.id);
    if (!agent) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    return toRegistryAgent(agent);
  });

  r.post('/api/v1/agents/:id/verify', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'verifyRegistryAgent',
      tags: TAGS,
      summary: 'Prove ownership of an existing agent with a signed challenge',
      description: `The challenge must have been asked for this agent (\`agent_id\`) and its controller. ${PROOF_ERRORS} A refused proof leaves the agent as it was.`,
      params: AgentIdParams,
      body: OwnershipProofRequestSchema,
      response: { 200: jsonResponse('The agent, verified', RegistryAgentSchema), ...errorResponses(404, 409, 422) },
    },
  }, async (request) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const result = await verifyAgentOwnership(deps, clientId, request.params.id, { challengeId: request.body.challenge_id, signature: request.body.signature });
    if (!result.ok) throw refusal(result);
    return toRegistryAgent(result.value);
  });
}
