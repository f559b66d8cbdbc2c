import type { Pool } from '#platform/db/pool.ts';
import type { Wallet } from './link-wallet.ts';
import { displayAddress } from './wallet-address.ts';

/** The wallets linked to a partner, oldest first. */
export async function listWallets(deps: { pool: Pool }, clientId: string): Promise<Wallet[]> {
  const { rows } = await deps.pool.query<Wallet>(
    'SELECT id, client_id AS "clientId", chain, address, created_at AS "createdAt" FROM console_wallets WHERE client_id = $1 ORDER BY id',
    [clientId],
  );
  return rows.map((row) => ({ ...row, address: displayAddress(row.chain, row.address) }));
}
