import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { periodStart } from './billing-period.ts';
import { readBalance } from './read-balance.ts';

export const BILLING_MODES = ['invoice', 'prepaid'] as const;
export type BillingMode = (typeof BILLING_MODES)[number];

/** A partner's billing account as of its last charge or transaction (what the API keeps in memory). */
export type BillingAccount = { mode: BillingMode; period: Date | null; spend: number; cap: number | null; balance: number };

export const NO_ACCOUNT: BillingAccount = { mode: 'invoice', period: null, spend: 0, cap: null, balance: 0 };

export type OverCapReason = 'SPENDING_CAP' | 'BALANCE_EXHAUSTED';

/**
 * Why billable calls are refused now, if they are: the plan's spending cap reached by this
 * period's overage, or (prepaid) the balance below zero, or at zero with overage this period (the
 * included quota stays usable on an empty balance). The month's spend counts only in its month.
 */
export function overCapReason(account: BillingAccount, now: Date): OverCapReason | undefined {
  const spend = account.period?.getTime() === periodStart(now).getTime() ? account.spend : 0;
  if (account.cap !== null && spend > 0 && spend >= account.cap) return 'SPENDING_CAP';
  if (account.mode === 'prepaid' && (account.balance < 0 || (account.balance === 0 && spend > 0))) return 'BALANCE_EXHAUSTED';
  return undefined;
}

type AccountRow = { billing_mode: BillingMode; period: Date | null; spend: string; cap: string | null; balance: string };

const toAccount = (row: AccountRow | undefined): BillingAccount =>
  row ? { mode: row.billing_mode, period: row.period, spend: Number(row.spend), cap: row.cap === null ? null : Number(row.cap), balance: Number(row.balance) } : NO_ACCOUNT;

export async function findBillingAccount(q: Pool | PoolClient, clientId: string): Promise<BillingAccount> {
  const { rows } = await q.query<AccountRow>('SELECT billing_mode, period, spend, cap, balance FROM billing_accounts WHERE client_id = $1', [clientId]);
  return toAccount(rows[0]);
}

/** The accounts of `clientIds` (the vault's over-cap flags); a partner without one has NO_ACCOUNT. */
export async function findBillingAccounts(pool: Pool, clientIds: readonly string[]): Promise<Map<string, BillingAccount>> {
  const { rows } = await pool.query<AccountRow & { client_id: string }>('SELECT client_id, billing_mode, period, spend, cap, balance FROM billing_accounts WHERE client_id = ANY ($1::text[])', [clientIds]);
  return new Map(rows.map((row) => [row.client_id, toAccount(row)]));
}

/** Locks a partner's account row (made first if missing) until the caller's transaction ends: its changes are then ordered. */
export async function lockBillingAccount(tx: PoolClient, clientId: string, at: Date): Promise<void> {
  await tx.query('INSERT INTO billing_accounts (client_id, updated_at) VALUES ($1, $2) ON CONFLICT (client_id) DO NOTHING', [clientId, at]);
  await tx.query('SELECT 1 FROM billing_accounts WHERE client_id = $1 FOR UPDATE', [clientId]);
}

/**
 * Updates a partner's account on the caller's transaction, after a ledger transaction, a charge
 * run (`spend`: its period, overage and cap) or a change of mode: the balance re-read from the
 * ledger. The row is locked first (lockBillingAccount), so two updates of one partner are ordered.
 */
export async function refreshBillingAccount(
  tx: PoolClient,
  clientId: string,
  at: Date,
  change: { spend?: { period: Date; spend: number; cap: number | null }; mode?: BillingMode } = {},
): Promise<BillingAccount> {
  await lockBillingAccount(tx, clientId, at);
  const balance = await readBalance(tx, clientId);
  const { rows } = await tx.query<AccountRow>(
    `UPDATE billing_accounts SET balance = $2, updated_at = $3, billing_mode = COALESCE($4, billing_mode),
            period = CASE WHEN $5::timestamptz IS NULL THEN period ELSE $5 END,
            spend = CASE WHEN $5::timestamptz IS NULL THEN spend ELSE $6 END,
            cap = CASE WHEN $5::timestamptz IS NULL THEN cap ELSE $7 END
      WHERE client_id = $1 RETURNING billing_mode, period, spend, cap, balance`,
    [clientId, balance, at, change.mode ?? null, change.spend?.period ?? null, change.spend?.spend ?? 0, change.spend?.cap ?? null],
  );
  return toAccount(rows[0]);
}
