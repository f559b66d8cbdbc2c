import type { Pool, PoolClient } from '#platform/db/pool.ts';
import type { LedgerLeafFields } from './tlog/index.ts';

/**
 * Where the audit finds the current outcome behind a ledger entry of a kind, to tell a leaf from
 * an outcome row edited after it was logged. Each module that logs outcomes exports one for its
 * rows; the app registers them (the ledger imports none of those modules). A kind without a
 * source is checked for structure only.
 */
export type OutcomeSource = {
  /** How partners fetch the receipts of these outcomes; absent for a kind without receipts of its own (a certificate's revocation). */
  receipts?: {
    /** The type prefix of the ids partners know these outcomes by (`prf`, `tsk`, `crt`). */
    idPrefix: string;
    /**
     * The public_id of the outcome's ledger entry when this partner decided the outcome (only it
     * may fetch the receipt), else undefined. Proofs and tasks are logged under their own id; a
     * certificate under its public id, since leaves are public.
     */
    entryIdFor(db: Pick<Pool, 'query'>, clientId: string, id: string): Promise<string | undefined>;
  };
  /** The outcome rows of these public ids, as the leaf fields they were logged with. */
  outcomes(db: PoolClient, publicIds: readonly string[]): Promise<Map<string, LedgerLeafFields>>;
  /** Outcomes decided at or after `since` that have no ledger entry (pending or sequenced). */
  unlogged(db: PoolClient, since: Date, limit: number): Promise<{ count: number; examples: string[] }>;
};

/** Outcome sources by ledger entry kind (`zk_proof`, `tee_task`). */
export type OutcomeSources = ReadonlyMap<string, OutcomeSource>;

/** The kind and receipt lookup of an outcome id, by its type prefix. */
export function sourceOfId(sources: OutcomeSources, id: string): { kind: string; receipts: NonNullable<OutcomeSource['receipts']> } | undefined {
  for (const [kind, source] of sources) if (source.receipts && id.startsWith(`${source.receipts.idPrefix}_`)) return { kind, receipts: source.receipts };
  return undefined;
}

const KIND = /^[a-z][a-z_]*$/;

/**
 * The SQL condition "this outcome has no ledger entry", for a source's `unlogged` query: the
 * ledger's table stays the ledger's business. `idColumn` is the outcome's public id column.
 */
export function notInLedger(kind: string, idColumn: string): string {
  if (!KIND.test(kind) || !/^[a-z_][a-z_.]*$/.test(idColumn)) throw new Error(`not a ledger kind and column: ${kind} ${idColumn}`);
  return `NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.kind = '${kind}' AND e.public_id = ${idColumn})`;
}
