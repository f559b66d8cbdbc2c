import { uniqueViolation } from '#platform/db/statement.ts';
import { CID } from 'multiformats/cid';
import type { Db } from '#platform/db/database.ts';
import { inTransaction, type PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { checkWorkEvidence, type EvidenceFailure } from './check-work-evidence.ts';
import { getAgent } from './get-agent.ts';
import { onReputationEvent, type ReputationDeps } from './on-reputation-event.ts';
import { AGENT_COLUMNS, CONSTRAINTS, VALIDATION_COLUMNS, WORK_COLUMNS, type RegistryAgentRow, type ValidationRow, type WorkRecordRow } from './tables.ts';
import { encodeWorkBlock, type BlockValidation } from './work-block.ts';

/** The validator name of Veridity's own validations (of the evidence it verified). */
export const VERIDITY_VALIDATOR = 'veridity';
const VERIDITY_TAGS = { zk_proof: 'zk-proof', tee_task: 'tee-attestation', certificate: 'evidence-certificate' } as const;

export type ThirdPartyValidation = { validator: string; response: number; tag: string; evidence: string };
export type WorkInput = {
  evidenceId: string;
  outcome: 'succeeded' | 'failed';
  capability: string | undefined;
  summary: string;
  performedAt: Date | undefined;
  validations: ThirdPartyValidation[];
};
export type RecordedWork = WorkRecordRow & { validations: ValidationRow[] };
export type WorkResult =
  | { ok: true; value: RecordedWork }
  | EvidenceFailure
  | { ok: false; code: 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION_FAILED' | 'EVIDENCE_USED'; message: string };

/** The newest record of the agent's chain; the caller holds the agent row lock. */
async function chainHead(tx: PoolClient, agentId: string): Promise<{ seq: number; cid: string } | undefined> {
  const { rows } = await tx.query<{ seq: number; cid: string }>('SELECT seq, cid FROM registry_work WHERE agent_id = $1 ORDER BY seq DESC LIMIT 1', [agentId]);
  return rows[0];
}

/**
 * Records a unit of work of the partner's live agent, resting on evidence Veridity verified for that
 * partner: appends a DAG-JSON block linking the previous record's CID (the agent row is locked, so
 * two records at once queue rather than fork), with Veridity's validation of the evidence and any
 * third-party validations the owner adds (stored unverified); then updates the agent's reputation.
 */
export async function recordWork(deps: ReputationDeps & { db: Db }, clientId: string, agentId: string, input: WorkInput): Promise<WorkResult> {
  const agent = await getAgent(deps, agentId, { clientId });
  if (!agent) return { ok: false, code: 'NOT_FOUND', message: `no agent ${agentId}` };
  if (agent.deactivatedAt) return { ok: false, code: 'CONFLICT', message: `agent ${agentId} is deactivated` };
  if (input.capability !== undefined && !agent.capabilities.includes(input.capability)) {
    return { ok: false, code: 'VALIDATION_FAILED', message: `body.capability: agent ${agentId} does not offer ${input.capability} (${agent.capabilities.join(', ')})` };
  }
  const evidence = await checkWorkEvidence(deps, clientId, input.evidenceId, agent);
  if (!evidence.ok) return evidence;
  const now = deps.clock.now();
  const id = newId('wrk');
  const evidenceRef = `${evidence.value.ledgerKind}:${evidence.value.ledgerPublicId}`;
  const validations: BlockValidation[] = [
    { validator: VERIDITY_VALIDATOR, response: 100, tag: VERIDITY_TAGS[evidence.value.kind], evidence: evidenceRef, verified: true },
    ...input.validations.map((validation) => ({ ...validation, verified: false })),
  ];
  try {
    const value = await inTransaction(deps.pool, async (tx) => {
      const locked = await tx.query<RegistryAgentRow>(`SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE id = $1 AND deactivated_at IS NULL FOR UPDATE`, [agentId]);
      if (!locked.rows[0]) return undefined;
      const head = await chainHead(tx, agentId);
      const seq = (head?.seq ?? 0) + 1;
      const block = await encodeWorkBlock({
        work: id, agent: agentId, seq, prev: head ? CID.parse(head.cid) : null,
        evidence: { kind: evidence.value.kind, ledger_kind: evidence.value.ledgerKind, ledger_id: evidence.value.ledgerPublicId, verified_at: evidence.value.verifiedAt.toISOString(), tee: evidence.value.tee },
        outcome: input.outcome, capability: input.capability ?? null, summary: input.summary, performed_at: input.performedAt?.toISOString() ?? null,
        recorded_at: now.toISOString(), validations,
      });
      const work = await tx.query<WorkRecordRow>(
        `INSERT INTO registry_work (id, agent_id, client_id, seq, cid, prev_cid, block, evidence_kind, evidence_id, ledger_kind, ledger_public_id,
                                    evidence_verified_at, outcome, capability, summary, performed_at, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING ${WORK_COLUMNS}`,
        [id, agentId, clientId, seq, block.cid.toString(), head?.cid ?? null, block.bytes, evidence.value.kind, evidence.value.id, evidence.value.ledgerKind,
          evidence.value.ledgerPublicId, evidence.value.verifiedAt, input.outcome, input.capability ?? null, input.summary, input.performedAt ?? null, now],
      );
      const inserted = await tx.query<ValidationRow>(
        `INSERT INTO registry_validations (id, work_id, agent_id, validator, response, tag, evidence_ref, verified, created_at)
         SELECT v.id, $1, $2, v.validator, v.response, v.tag, v.evidence_ref, v.verified, $3
           FROM unnest($4::text[], $5::text[], $6::smallint[], $7::text[], $8::text[], $9::boolean[]) AS v (id, validator, response, tag, evidence_ref, verified)
         RETURNING ${VALIDATION_COLUMNS}`,
        [id, agentId, now, validations.map(() => newId('val')), validations.map((v) => v.validator), validations.map((v) => v.response), validations.map((v) => v.tag),
          validations.map((v) => v.evidence), validations.map((v) => v.verified)],
      );
      return { ...work.rows[0]!, validations: inserted.rows };
    });
    if (!value) return { ok: false, code: 'CONFLICT', message: `agent ${agentId} is deactivated` };
    await onReputationEvent(deps, { kind: 'work', agentId, workId: value.id });
    return { ok: true, value };
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === CONSTRAINTS.evidenceUsed) return { ok: false, code: 'EVIDENCE_USED', message: `${input.evidenceId} backs a work record already` };
    if (constraint === CONSTRAINTS.validationTwice) return { ok: false, code: 'VALIDATION_FAILED', message: 'body.validations: one validation per validator and tag' };
    throw error;
  }
}
