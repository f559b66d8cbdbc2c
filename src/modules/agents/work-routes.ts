import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import type { Logger } from '#platform/logger.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { AGENTS_SCOPE } from '#modules/clients/schema.ts';
import { exportWorkHistory } from './export-work-history.ts';
import { getAgent } from './get-agent.ts';
import { giveFeedback } from './give-feedback.ts';
import { listFeedback } from './list-feedback.ts';
import { listWork } from './list-work.ts';
import { recordWork } from './record-work.ts';
import type { ReputationSettings } from './reputation-model.ts';
import { respondToFeedback } from './respond-to-feedback.ts';
import { revokeFeedback } from './revoke-feedback.ts';
import { TAGS } from './routes.ts';
import { AgentIdParams } from './schema.ts';
import type { WorkHistoryPinner } from './work-history-pinner.ts';
import {
  FeedbackPageSchema,
  FeedbackParams,
  FeedbackRequestSchema,
  FeedbackResponseRequestSchema,
  FeedbackSchema,
  PageQuerySchema,
  toFeedback,
  toWorkRecord,
  WorkPageSchema,
  WorkRecordSchema,
  WorkRequestSchema,
} from './work-schema.ts';

export type AgentWorkDeps = { pool: Pool; db: Db; clock: Clock; log: Logger; pinner: WorkHistoryPinner; reputation: ReputationSettings };

const partner = { access: access.partner([AGENTS_SCOPE]) };
const publicAccess = { access: access.publicRateLimited };

const EVIDENCE_ERRORS =
  '422 `EVIDENCE_UNKNOWN` (no such id of yours: another partner\'s evidence is unknown), 422 `EVIDENCE_NOT_VERIFIED` (`reason` FAILED, PENDING, INVALID: a task that appraised ' +
  'the evidence as not valid, NOT_LOGGED: no ledger entry), 422 `EVIDENCE_REVOKED` (a revoked certificate), 422 `TEE_APP_MISMATCH` (`reason` NO_TEE_DECLARED, NOT_DSTACK, ' +
  'APP_ID, COMPOSE_HASH: the task attests another app than the agent\'s `tee`), 409 `EVIDENCE_USED` (the evidence backs a work record already).';

function cursorNumber(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(cursor)) throw new ApiError('VALIDATION_FAILED', 'querystring.cursor: not a cursor of this list', { fields: ['querystring.cursor'] });
  return Number(cursor);
}

/** Work records, the content-addressed work history, and feedback of registry agents. */
export function registerAgentWorkRoutes(app: FastifyInstance, deps: AgentWorkDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/agents/:id/work', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'recordAgentWork',
      tags: TAGS,
      summary: 'Record a unit of work of your agent, with the evidence Veridity verified for it',
      description:
        'The evidence is yours: a verified proof (`prf_`), a completed and valid TEE attestation task (`tsk_`) from the dstack app the agent declares (`tee.app_id`, ' +
        'and `tee.compose_hash` when set), or a certificate that is not revoked (`crt_`), each with its ledger entry. The record is a DAG-JSON block linking the previous ' +
        'record\'s CID; Veridity adds its validation (`validator` veridity, `response` 100); third-party `validations` are recorded unverified. ' + EVIDENCE_ERRORS,
      params: AgentIdParams,
      body: WorkRequestSchema,
      response: { 201: jsonResponse('The work record', WorkRecordSchema), ...errorResponses(404, 409, 422) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const body = request.body;
    const result = await recordWork(deps, clientId, request.params.id, {
      evidenceId: body.evidence_id, outcome: body.outcome, capability: body.capability, summary: body.summary ?? '',
      performedAt: body.performed_at === undefined ? undefined : new Date(body.performed_at), validations: body.validations ?? [],
    });
    if (!result.ok) {
      const details = 'reason' in result ? { reason: result.reason } : result.code === 'VALIDATION_FAILED' ? { fields: [result.message.split(':')[0]] } : undefined;
      throw new ApiError(result.code, result.message, details);
    }
    await pinHistory(deps, request.params.id);
    return reply.code(201).send(toWorkRecord(result.value));
  });

  r.get('/api/v1/agents/:id/work', {
    config: publicAccess,
    schema: {
      operationId: 'listAgentWork',
      tags: TAGS,
      summary: 'A live agent\'s work records, newest first, with their validations',
      description: 'Public, as the work history is. `head_cid` is the newest record\'s CID (the root of work-history.car). Cursor-paginated (`next_cursor`).',
      params: AgentIdParams,
      querystring: PageQuerySchema,
      response: { 200: jsonResponse('A page of work records', WorkPageSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    if (!(await getAgent(deps, request.params.id, 'public'))) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    const before = cursorNumber(request.query.cursor);
    const page = await listWork(deps, request.params.id, { limit: request.query.limit, before });
    const head = before === undefined ? page.rows[0]?.cid ?? null : (await listWork(deps, request.params.id, { limit: 1, before: undefined })).rows[0]?.cid ?? null;
    return { data: page.rows.map(toWorkRecord), next_cursor: page.nextBefore === null ? null : String(page.nextBefore), head_cid: head };
  });

  r.get('/api/v1/agents/:id/work-history.car', {
    config: publicAccess,
    schema: {
      operationId: 'exportAgentWorkHistory',
      tags: TAGS,
      summary: 'A live agent\'s work history as a CAR file',
      description:
        'CAR v1 (`application/vnd.ipld.car`): root = the newest record\'s CID, then every record\'s DAG-JSON block, newest first; each links the previous one (`prev`). ' +
        'Recompute each block\'s CID (CIDv1, dag-json, sha2-256) to check it. The `x-work-history-head` header repeats the root. An agent without work: 404.',
      params: AgentIdParams,
      response: { 200: textResponse('The CAR file', 'application/vnd.ipld.car'), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    if (!(await getAgent(deps, request.params.id, 'public'))) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    const history = await exportWorkHistory(deps, request.params.id);
    if (!history) throw new ApiError('NOT_FOUND', `agent ${request.params.id} has no work records`);
    return reply
      .header('content-type', 'application/vnd.ipld.car; version=1')
      .header('content-disposition', `attachment; filename="${request.params.id}-work-history.car"`)
      .header('x-work-history-head', history.head)
      .send(history.car as never); // bytes, sent as they are (a Buffer skips the serializer)
  });

  r.post('/api/v1/agents/:id/feedback', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'giveAgentFeedback',
      tags: TAGS,
      summary: 'Give feedback on an agent (score 0-100, tags, comment)',
      description:
        'One live feedback of yours per work record (`work_id`, a record of this agent: strength `verified_work`), per settlement (`settlement_id`, an x402 settlement of yours ' +
        'paying this agent: `settlement`), and one without either per agent (`bare`): a second is 409 `CONFLICT` (revoke the first to replace it). ' +
        'Feedback on your own agent, or on an agent of a controller one of your agents has, is recorded with `self: true` and ignored by the reputation. ' +
        'An unknown settlement, or one when the platform records none: 422 `SETTLEMENT_UNKNOWN`.',
      params: AgentIdParams,
      body: FeedbackRequestSchema,
      response: { 201: jsonResponse('The feedback', FeedbackSchema), ...errorResponses(404, 409, 422) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const body = request.body;
    const result = await giveFeedback(deps, clientId, request.params.id, { score: body.score, tags: body.tags ?? [], comment: body.comment ?? '', workId: body.work_id, settlementId: body.settlement_id });
    if (!result.ok) throw new ApiError(result.code, result.message, result.code === 'VALIDATION_FAILED' ? { fields: [result.message.split(':')[0]] } : undefined);
    return reply.code(201).send(toFeedback(result.value));
  });

  r.get('/api/v1/agents/:id/feedback', {
    config: publicAccess,
    schema: {
      operationId: 'listAgentFeedback',
      tags: TAGS,
      summary: 'A live agent\'s feedback, newest first (revoked feedback is not listed)',
      description: 'Public, as ERC-8004 feedback is: scores, tags, comments, what backs each (`strength`), `self`, and the owner\'s responses; authors are not named. Cursor-paginated.',
      params: AgentIdParams,
      querystring: PageQuerySchema,
      response: { 200: jsonResponse('A page of feedback', FeedbackPageSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    if (!(await getAgent(deps, request.params.id, 'public'))) throw new ApiError('NOT_FOUND', `no agent ${request.params.id}`);
    const before = request.query.cursor;
    if (before !== undefined && !FeedbackParams.shape.feedback_id.safeParse(before).success) {
      throw new ApiError('VALIDATION_FAILED', 'querystring.cursor: not a cursor of this list', { fields: ['querystring.cursor'] });
    }
    const page = await listFeedback(deps, request.params.id, { limit: request.query.limit, before });
    return { data: page.rows.map(toFeedback), next_cursor: page.nextBefore };
  });

  r.delete('/api/v1/agents/:id/feedback/:feedback_id', {
    config: partner,
    schema: {
      operationId: 'revokeAgentFeedback',
      tags: TAGS,
      summary: 'Revoke your feedback',
      description: 'Only its author revokes it; revoked feedback leaves the list and the reputation. Revoking again answers it as it is.',
      params: FeedbackParams,
      response: { 200: jsonResponse('The feedback, revoked', FeedbackSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const feedback = await revokeFeedback(deps, requireScope(request, AGENTS_SCOPE).id, request.params.id, request.params.feedback_id);
    if (!feedback) throw new ApiError('NOT_FOUND', `no feedback ${request.params.feedback_id} of yours`);
    return toFeedback(feedback);
  });

  r.post('/api/v1/agents/:id/feedback/:feedback_id/response', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'respondToAgentFeedback',
      tags: TAGS,
      summary: 'Answer feedback on your agent',
      description: 'The agent\'s owner answers once (409 `CONFLICT` after); the answer is public beside the feedback.',
      params: FeedbackParams,
      body: FeedbackResponseRequestSchema,
      response: { 200: jsonResponse('The feedback with your response', FeedbackSchema), ...errorResponses(404, 409) },
    },
  }, async (request) => {
    const result = await respondToFeedback(deps, requireScope(request, AGENTS_SCOPE).id, request.params.id, request.params.feedback_id, request.body.response);
    if (!result.ok) throw new ApiError(result.code, result.message);
    return toFeedback(result.value);
  });
}

/** Pins the agent's history after a new record when a pinner is configured; a failure is logged (the record stands, the next record pins the whole chain again). */
async function pinHistory(deps: AgentWorkDeps, agentId: string): Promise<void> {
  if (deps.pinner.name === 'none') return;
  const history = await exportWorkHistory(deps, agentId);
  if (!history) return;
  await deps.pinner.pin(history.car, history.head).catch((error: unknown) => deps.log.warn({ err: error, agentId, head: history.head, pinner: deps.pinner.name }, 'work history not pinned'));
}
