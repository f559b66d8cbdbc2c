import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { Facilitator } from './facilitator.ts';
import { refuse, type Payment, type Requirement, type Result } from './payment.ts';
import { SETTLEMENT_COLUMNS, type SettlementRow } from './tables.ts';
import { verifyPayment } from './verify-payment.ts';

export type X402Deps = { pool: Pool; clock: Clock; facilitator: Facilitator | undefined };

/** What a payment pays for: an agent's work (POST /api/v1/x402/settle) or a paid query. */
export type SettlementSubject =
  | { purpose: 'agent'; clientId: string; agentId: string; workId: string | null }
  | { purpose: 'query'; resource: string };

export type SettleFailure = { ok: false; code: 'PAYMENT_SETTLEMENT_FAILED'; message: string; settlementId: string };

/**
 * Verifies the payment offline, spends its nonce by recording it (`verified`), and, with a
 * facilitator, settles it on chain (`settled`, or `settle_failed`: the nonce stays spent).
 * `onRecorded` runs in the transaction that writes the final state (the caller's webhook).
 */
export async function settlePayment(
  deps: X402Deps,
  input: { payment: Payment; requirement: Requirement; subject: SettlementSubject; onRecorded?: (tx: PoolClient, row: SettlementRow) => Promise<void> },
): Promise<Result<SettlementRow> | SettleFailure> {
  const now = deps.clock.now();
  const verified = await verifyPayment(input.payment, input.requirement, now);
  if (!verified.ok) return verified;
  const { requirement, subject } = input;
  const v = verified.value;
  const recorded = await inTransaction(deps.pool, async (tx): Promise<Result<SettlementRow>> => {
    const { rows } = await tx.query<SettlementRow>(
      `INSERT INTO x402_settlements (id, x402_version, scheme, network, asset, pay_to, payer, amount, required_amount, nonce_scope, nonce,
         valid_after, valid_before, status, purpose, client_id, agent_id, work_id, resource, verified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'verified', $14, $15, $16, $17, $18, $19)
       ON CONFLICT (network, nonce_scope, nonce) DO NOTHING
       RETURNING ${SETTLEMENT_COLUMNS}`,
      [
        newId('stl', now.getTime()), requirement.version, requirement.scheme, requirement.network.caip2, requirement.asset, requirement.payTo, v.payer,
        v.amount.toString(), requirement.amount.toString(), v.nonceScope, v.nonce, v.validAfter, v.validBefore, subject.purpose,
        subject.purpose === 'agent' ? subject.clientId : null, subject.purpose === 'agent' ? subject.agentId : null,
        subject.purpose === 'agent' ? subject.workId : null, subject.purpose === 'query' ? subject.resource : null, now,
      ],
    );
    const row = rows[0];
    if (!row) return refuse('NONCE_REPLAYED', 'this payment was used already');
    if (!deps.facilitator) await input.onRecorded?.(tx, row);
    return { ok: true, value: row };
  });
  if (!recorded.ok || !deps.facilitator) return recorded;
  const outcome = await deps.facilitator.settle(input.payment, requirement.raw);
  const settled = await inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<SettlementRow>(
      `UPDATE x402_settlements SET status = $2, transaction = $3, settle_error = $4, settled_at = $5 WHERE id = $1 RETURNING ${SETTLEMENT_COLUMNS}`,
      outcome.ok ? [recorded.value.id, 'settled', outcome.transaction, null, deps.clock.now()] : [recorded.value.id, 'settle_failed', null, outcome.error, null],
    );
    await input.onRecorded?.(tx, rows[0]!);
    return rows[0]!;
  });
  if (!outcome.ok) return { ok: false, code: 'PAYMENT_SETTLEMENT_FAILED', message: outcome.error, settlementId: settled.id };
  return { ok: true, value: settled };
}
