import { z } from 'zod';
import { IdParam } from '#platform/http/schemas.ts';
import type { FeedbackRow, ValidationRow, WorkRecordRow } from './tables.ts';

const Text = (max: number) => z.string().max(max).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters');
const Label = z.string().regex(/^[a-z0-9][a-z0-9.+_-]{0,49}$/, 'lowercase letters, digits and . + _ -, at most 50');
const Score = z.number().int().min(0).max(100);

const ThirdPartyValidation = z.strictObject({
  validator: Text(300).min(1).describe('Who validated: an address, CAIP-10 account or DID (not checked by Veridity)'),
  response: Score.describe('0-100, as ERC-8004 validation responses'),
  tag: Label,
  evidence: Text(2048).min(1).describe('Where the validation can be read (a URI, a transaction, ...)'),
});

export const WorkRequestSchema = z
  .strictObject({
    evidence_id: IdParam('prf', 'tsk', 'crt').describe('The verified proof (`prf_`), TEE attestation task (`tsk_`) or evidence certificate (`crt_`) the work rests on'),
    outcome: z.enum(['succeeded', 'failed']).default('succeeded'),
    capability: z.string().max(100).optional().describe('Which of the agent\'s capabilities the work used'),
    summary: Text(1000).optional(),
    performed_at: z.iso.datetime({ offset: true }).optional(),
    validations: z.array(ThirdPartyValidation).max(5).optional().describe('Third parties\' validations: recorded `verified: false` (weak)'),
  })
  .meta({ id: 'AgentWorkRequest', examples: [{ evidence_id: 'prf_01jq3v4x5y6z7a8b9c0d1e2f3g', capability: 'nlp.summarization', summary: 'Summarised contract 42' }] });

const ValidationOut = z.object({ validator: z.string(), response: z.number(), tag: z.string(), evidence: z.string(), verified: z.boolean(), created_at: z.string() });

export const WorkRecordSchema = z
  .object({
    id: z.string().describe('`wrk_...`'),
    agent_id: z.string(),
    seq: z.number().int().describe('Position in the agent\'s chain, from 1'),
    cid: z.string().describe('CIDv1 (dag-json, sha2-256) of the record\'s block'),
    prev_cid: z.string().nullable().describe('The previous record\'s CID (null for the first)'),
    evidence: z.object({
      kind: z.enum(['zk_proof', 'tee_task', 'certificate']),
      ledger_kind: z.string(),
      ledger_id: z.string().describe('The ledger entry naming the evidence (a certificate\'s public id; a proof\'s or task\'s own id)'),
      verified_at: z.string(),
    }),
    outcome: z.enum(['succeeded', 'failed']),
    capability: z.string().nullable(),
    summary: z.string(),
    performed_at: z.string().nullable(),
    recorded_at: z.string(),
    validations: z.array(ValidationOut),
  })
  .meta({ id: 'AgentWorkRecord' });

export const WorkPageSchema = z.object({ data: z.array(WorkRecordSchema), next_cursor: z.string().nullable(), head_cid: z.string().nullable() }).meta({ id: 'AgentWorkPage' });

export const PageQuerySchema = z.strictObject({ cursor: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) });

export const FeedbackRequestSchema = z
  .strictObject({
    score: Score,
    tags: z.array(Label).max(10).optional(),
    comment: Text(2000).optional(),
    work_id: IdParam('wrk').optional().describe('A work record of this agent the feedback is about: full weight'),
    settlement_id: z.string().regex(/^stl_[0-9a-z]{26}$/, 'an stl_ id').optional().describe('An x402 settlement of yours paying this agent'),
  })
  .meta({ id: 'AgentFeedbackRequest', examples: [{ score: 90, tags: ['fast'], comment: 'Accurate summary', work_id: 'wrk_01jq3v4x5y6z7a8b9c0d1e2f3g' }] });

export const FeedbackResponseRequestSchema = z.strictObject({ response: Text(2000).trim().min(1) }).meta({ id: 'AgentFeedbackResponseRequest' });

export const FeedbackSchema = z
  .object({
    id: z.string().describe('`fbk_...`'),
    agent_id: z.string(),
    score: z.number(),
    tags: z.array(z.string()),
    comment: z.string(),
    work_id: z.string().nullable(),
    settlement_id: z.string().nullable(),
    strength: z.enum(['verified_work', 'settlement', 'bare']).describe('What backs it: a verified work record, a settlement, or nothing'),
    self: z.boolean().describe('By the agent\'s owner or a partner with an agent of the same controller: ignored by the reputation'),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
    response: z.string().nullable().describe('The agent owner\'s answer'),
    responded_at: z.string().nullable(),
  })
  .meta({ id: 'AgentFeedback' });

export const FeedbackPageSchema = z.object({ data: z.array(FeedbackSchema), next_cursor: z.string().nullable() }).meta({ id: 'AgentFeedbackPage' });

export const FeedbackParams = z.strictObject({ id: IdParam('agr'), feedback_id: IdParam('fbk') });

export function toWorkRecord(row: WorkRecordRow & { validations: ValidationRow[] }): z.infer<typeof WorkRecordSchema> {
  return {
    id: row.id,
    agent_id: row.agentId,
    seq: row.seq,
    cid: row.cid,
    prev_cid: row.prevCid,
    evidence: { kind: row.evidenceKind, ledger_kind: row.ledgerKind, ledger_id: row.ledgerPublicId, verified_at: row.evidenceVerifiedAt.toISOString() },
    outcome: row.outcome,
    capability: row.capability,
    summary: row.summary,
    performed_at: row.performedAt?.toISOString() ?? null,
    recorded_at: row.recordedAt.toISOString(),
    validations: row.validations.map((v) => ({ validator: v.validator, response: v.response, tag: v.tag, evidence: v.evidenceRef, verified: v.verified, created_at: v.createdAt.toISOString() })),
  };
}

export function toFeedback(row: FeedbackRow): z.infer<typeof FeedbackSchema> {
  return {
    id: row.id,
    agent_id: row.agentId,
    score: row.score,
    tags: row.tags,
    comment: row.comment,
    work_id: row.workId,
    settlement_id: row.settlementId,
    strength: row.strength,
    self: row.self,
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
    response: row.response,
    responded_at: row.respondedAt?.toISOString() ?? null,
  };
}
