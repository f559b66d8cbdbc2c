import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ledgerVerifierKey } from './ledger-note-keys.ts';

/**
 * The note verifier key of the log (`<origin>+<key id>+<key>`) that checks its checkpoints and
 * receipts offline. From the active ledger platform key (created on first use, so the key is
 * known before the first checkpoint), opened from its sealed private half: a public key planted in
 * the table by someone without the encryption key is never published.
 */
export async function getLedgerVerifierKey(deps: { pool: Pool; platformKeys: PlatformKeys }): Promise<string> {
  const { rows } = await deps.pool.query<{ origin: string }>('SELECT origin FROM ledger_tree_head');
  if (!rows[0]) throw new Error('the ledger tree head row is missing');
  const key = await deps.platformKeys.activeKey('ledger');
  return ledgerVerifierKey(rows[0].origin, key.publicKey);
}
