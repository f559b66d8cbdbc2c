import type { PoolClient } from '#platform/db/pool.ts';
import { recordUsage } from '#modules/metering/record-usage.ts';
import { enqueueWebhookEvents } from '#modules/webhooks/enqueue-webhook-event.ts';
import { decodePayment, readRequirement } from '#modules/x402/payment.ts';
import { settlePayment, type X402Deps } from '#modules/x402/settle-payment.ts';
import type { SettlementRow } from '#modules/x402/tables.ts';
import { isWorkRecordOf } from './find-work-record.ts';
import { getAgent } from './get-agent.ts';
import { onReputationEvent } from './on-reputation-event.ts';
import type { ReputationSettings } from './reputation-model.ts';

export type AgentSettlementDeps = X402Deps & { reputation: ReputationSettings };

/** The webhook payload of `agent.settlement.recorded` (documented in webhooks/openapi-webhooks.ts). */
export function settlementEvent(row: SettlementRow, ts: Date) {
  return {
    event: 'agent.settlement.recorded', settlement_id: row.id, agent_id: row.agentId, work_id: row.workId, status: row.status,
    network: row.network, asset: row.asset, amount: row.amount, payer: row.payer, transaction: row.transaction, ts: ts.toISOString(),
  };
}

/**
 * An x402 payment for a live registry agent's work (POST /api/v1/x402/settle): verified offline
 * against the requirements the partner states, recorded once (its nonce spent), settled by the
 * facilitator when one is configured; the agent's partner (and the caller, when another) get
 * `agent.settlement.recorded` in the transaction that records the outcome, and the caller is
 * billed one `x402_settlement` (not for a settlement the facilitator failed). The agent's reputation
 * is updated after (also for a failed settlement: feedback naming it loses its weight).
 */
export async function recordAgentSettlement(
  deps: AgentSettlementDeps,
  clientId: string,
  input: { payment: string; requirements: unknown; agentId: string; workId: string | null },
) {
  const agent = await getAgent(deps, input.agentId, 'public');
  if (!agent) return { ok: false as const, code: 'NOT_FOUND' as const, message: `no live agent ${input.agentId}` };
  if (input.workId !== null && !(await isWorkRecordOf(deps, input.workId, agent.id))) {
    return { ok: false as const, code: 'NOT_FOUND' as const, message: `no work record ${input.workId} of agent ${agent.id}` };
  }
  const payment = decodePayment(input.payment);
  if (!payment.ok) return payment;
  const requirement = readRequirement(payment.value.x402Version, input.requirements);
  if (!requirement.ok) return requirement;
  const recipients = [...new Set([agent.clientId, clientId])];
  const settled = await settlePayment(deps, {
    payment: payment.value,
    requirement: requirement.value,
    subject: { purpose: 'agent', clientId, agentId: agent.id, workId: input.workId },
    onRecorded: async (tx: PoolClient, row) => {
      const payload = settlementEvent(row, deps.clock.now());
      await enqueueWebhookEvents(tx, recipients.map((recipient) => ({ clientId: recipient, type: 'agent.settlement.recorded', subjectId: row.id, payload })));
      if (row.status !== 'settle_failed') await recordUsage(tx, { clientId, kind: 'x402.settle', claimType: null, outcome: row.status, subjectId: row.id, at: deps.clock.now() });
    },
  });
  const settlementId = settled.ok ? settled.value.id : settled.code === 'PAYMENT_SETTLEMENT_FAILED' ? settled.settlementId : undefined;
  if (settlementId !== undefined) await onReputationEvent(deps, { kind: 'settlement', agentId: agent.id, settlementId, workId: input.workId });
  return settled;
}
