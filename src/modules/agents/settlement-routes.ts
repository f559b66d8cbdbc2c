import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, IdParam, jsonResponse } from '#platform/http/schemas.ts';
import { requireScope } from '#modules/clients/partner-auth.ts';
import { AGENTS_SCOPE } from '#modules/clients/schema.ts';
import { MAX_PAYMENT_CHARS, PAYMENT_FAILURES } from '#modules/x402/payment.ts';
import { SETTLEMENT_STATUSES, type SettlementRow } from '#modules/x402/tables.ts';
import { recordAgentSettlement, type AgentSettlementDeps } from './record-agent-settlement.ts';
import { TAGS } from './routes.ts';

const SettleRequestSchema = z
  .strictObject({
    payment: z.string().min(1).max(MAX_PAYMENT_CHARS).describe('The payment as the client sent it: the `X-PAYMENT` (x402 v1) or `PAYMENT-SIGNATURE` (v2) header value, base64 JSON'),
    payment_requirements: z.record(z.string(), z.unknown()).describe('The `PaymentRequirements` the payment answers (v1 or v2 shape, as the payment\'s `x402Version`)'),
    agent_id: IdParam('agr').describe('The live registry agent paid'),
    work_id: z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/).optional().describe('The work record paid for, when there is one'),
  })
  .meta({ id: 'X402SettleRequest' });

const SettlementSchema = z
  .object({
    id: z.string().describe('`stl_...`'),
    status: z.enum(SETTLEMENT_STATUSES).describe('`verified`: checked offline, not on chain (no facilitator); `settled`: on chain (`transaction`)'),
    x402_version: z.number().int(),
    scheme: z.string(),
    network: z.string().describe('CAIP-2, also for v1 payments'),
    asset: z.string(),
    pay_to: z.string(),
    payer: z.string(),
    amount: z.string().describe('Atomic units the payment moves'),
    required_amount: z.string(),
    transaction: z.string().nullable().describe('The chain\'s reference once settled'),
    agent_id: z.string().nullable(),
    work_id: z.string().nullable(),
    verified_at: z.string(),
    settled_at: z.string().nullable(),
  })
  .meta({ id: 'X402Settlement' });

function toSettlement(row: SettlementRow): z.infer<typeof SettlementSchema> {
  return {
    id: row.id, status: row.status, x402_version: row.x402Version, scheme: row.scheme, network: row.network, asset: row.asset, pay_to: row.payTo,
    payer: row.payer, amount: row.amount, required_amount: row.requiredAmount, transaction: row.transaction, agent_id: row.agentId,
    work_id: row.workId, verified_at: row.verifiedAt.toISOString(), settled_at: row.settledAt?.toISOString() ?? null,
  };
}

/** POST /api/v1/x402/settle (scope `agents`): an x402 payment for a registry agent. */
export function registerAgentSettlementRoutes(app: FastifyInstance, deps: AgentSettlementDeps): void {
  app.withTypeProvider<ZodTypeProvider>().post('/api/v1/x402/settle', {
    config: { access: access.partner([AGENTS_SCOPE]), idempotent: true },
    schema: {
      operationId: 'settleX402Payment',
      tags: TAGS,
      summary: 'Record an x402 payment to a registry agent (verified offline, settled by the facilitator when configured)',
      description:
        'Scheme `exact`: EVM (EIP-3009 `transferWithAuthorization`, EIP-712 signature for the token named by `asset` and `extra.name`/`extra.version`) or Solana ' +
        '(a partially signed SPL `TransferChecked` to `payTo`\'s associated token account; the fee payer\'s signature is the facilitator\'s). Checked as a facilitator\'s ' +
        '`/verify` does, offline: signatures, network, asset, `payTo`, amount at least the required one, validity window, and a nonce never seen (any encoding). ' +
        `Refused: 422 \`PAYMENT_INVALID\` with \`reason\` (${PAYMENT_FAILURES.join(', ')}). With a facilitator configured the payment is settled on chain ` +
        '(`status` settled, `transaction`); a facilitator failure is 502 `PAYMENT_SETTLEMENT_FAILED` (the nonce stays spent). Raises `agent.settlement.recorded`.',
      body: SettleRequestSchema,
      response: { 201: jsonResponse('The settlement', SettlementSchema), ...errorResponses(404, 422, 502) },
    },
  }, async (request, reply) => {
    const clientId = requireScope(request, AGENTS_SCOPE).id;
    const result = await recordAgentSettlement(deps, clientId, {
      payment: request.body.payment, requirements: request.body.payment_requirements, agentId: request.body.agent_id, workId: request.body.work_id ?? null,
    });
    if (result.ok) return reply.code(201).send(toSettlement(result.value));
    if (result.code === 'PAYMENT_INVALID') throw new ApiError(result.code, result.message, { reason: result.reason });
    if (result.code === 'PAYMENT_SETTLEMENT_FAILED') throw new ApiError(result.code, result.message, { settlement_id: result.settlementId });
    throw new ApiError(result.code, result.message);
  });
}
