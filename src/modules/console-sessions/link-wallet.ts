import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { auditLink, checkLinkable, type LinkRefusal } from './sign-in-links.ts';
import { addressFormat, canonicalAddress, displayAddress, type WalletChain } from './wallet-address.ts';

export type Wallet = { id: string; clientId: string; chain: WalletChain; address: string; createdAt: Date };

export type LinkWalletResult = { ok: true; value: Wallet } | LinkRefusal | { ok: false; code: 'VALIDATION_FAILED'; message: string };

/** Lets a wallet address sign in to the console as this partner; an address belongs to one partner only. */
export async function linkWallet(deps: { pool: Pool; clock: Clock }, clientId: string, input: { chain: WalletChain; address: string }, actor: AuditActor): Promise<LinkWalletResult> {
  const address = canonicalAddress(input.chain, input.address);
  if (!address) return { ok: false, code: 'VALIDATION_FAILED', message: `body.address: must be ${addressFormat(input.chain)}` };
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx): Promise<LinkWalletResult> => {
    const refused = await checkLinkable(tx, 'wallet', clientId);
    if (refused) return refused;
    const id = newId('wal');
    const inserted = await tx.query(
      'INSERT INTO console_wallets (id, client_id, chain, address, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chain, address) DO NOTHING',
      [id, clientId, input.chain, address, now],
    );
    if (inserted.rowCount === 0) return { ok: false, code: 'CONFLICT', message: `this ${input.chain} address is linked to a partner already` };
    await auditLink(tx, actor, 'wallet', 'linked', id, now, { client_id: clientId, chain: input.chain, address });
    return { ok: true, value: { id, clientId, chain: input.chain, address: displayAddress(input.chain, address), createdAt: now } };
  });
}
