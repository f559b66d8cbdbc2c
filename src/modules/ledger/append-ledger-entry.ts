import type { PoolClient } from '#platform/db/pool.ts';
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
  const leaf = ledgerLeaf(input);
  // Named: each connection parses and plans it once, not on every outcome (~10% of an append).
  await tx.query({ name: 'ledger-append-entry', text: 'INSERT INTO ledger_entries (kind, public_id, leaf) VALUES ($1, $2, $3)', values: [input.kind, input.public_id, leaf] });
}
