import type { PoolClient } from '#platform/db/pool.ts';
import type { LedgerLeafFields } from './tlog/index.ts';
import { teeTaskOutcomes } from '#modules/attestations/ledger-outcome-source.ts';
import { zkProofOutcomes } from '#modules/zk/verify/ledger-outcome-source.ts';

/**
 * Where the audit finds the current outcome behind a ledger entry of a kind, to tell a leaf from
 * an outcome row edited after it was logged. A kind without a source is checked for structure only.
 */
export type OutcomeSource = {
  /** The outcome rows of these public ids, as the leaf fields they were logged with. */
  outcomes(db: PoolClient, publicIds: readonly string[]): Promise<Map<string, LedgerLeafFields>>;
  /** Outcomes decided at or after `since` that have no ledger entry (pending or sequenced). */
  unlogged(db: PoolClient, since: Date, limit: number): Promise<{ count: number; examples: string[] }>;
};

/** Every kind of outcome the platform logs, each read through the module that owns its rows. */
export const OUTCOME_SOURCES: Readonly<Record<string, OutcomeSource>> = { zk_proof: zkProofOutcomes, tee_task: teeTaskOutcomes };
