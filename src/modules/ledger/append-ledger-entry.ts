import type { PoolClient } from '#platform/db/pool.ts';
import type { Statement } from '#platform/db/statement.ts';
import { type LedgerLeafFields, ledgerLeaf } from './tlog/index.ts';

/** One verification outcome as the log records it (no PII, no tenant id: the leaf is public). */
export type LedgerEntryInput = LedgerLeafFields;

/**
 * Queues the outcome for the log on the caller's transaction, so the entry exists exactly when
 * the outcome commits; the sequencer gives it a position and a checkpoint covers it within
 * LEDGER_CHECKPOINT_SECONDS. (kind, public_id) is unique: logging one outcome twice is a bug and
 * fails the caller's transaction. Invalid fields throw (see ledgerLeaf).
 */
export async function appendLedgerEntry(tx: PoolClient, input: LedgerEntryInput): Promise<void> {
  await appendLedgerEntries(tx, [input]);
}

/** Several outcomes in one statement (a group commit of many requests'), same rules as appendLedgerEntry. */
export async function appendLedgerEntries(tx: PoolClient, inputs: readonly LedgerEntryInput[]): Promise<void> {
  if (inputs.length > 0) await tx.query(ledgerEntriesStatement(inputs));
}

/** appendLedgerEntries as a statement, for a caller that composes its writes into one (see composeStatements). */
export function ledgerEntriesStatement(inputs: readonly LedgerEntryInput[]): Statement {
  const leaves = inputs.map((input) => ledgerLeaf(input));
  // Named: each connection parses and plans it once, not on every outcome (~10% of an append).
  return {
    name: 'ledger-append-entries',
    text: 'INSERT INTO ledger_entries (kind, public_id, leaf) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])',
    values: [inputs.map((input) => input.kind), inputs.map((input) => input.public_id), leaves],
  };
}
