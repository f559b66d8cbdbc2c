import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodePaymentRequiredHeader, encodePaymentResponseHeader } from '@x402/core/http';
import type { PaymentRequirements, PaymentRequirementsV1 } from '@x402/core/types';
import { ApiError } from '#platform/http/errors.ts';
import type { X402Network } from './networks.ts';
import { decodePayment, readRequirement, type PaymentRefusal, type Requirement } from './payment.ts';
import { settlePayment, type X402Deps } from './settle-payment.ts';

/** What a paid route costs (X402_* configuration): `amount` atomic units of `asset` on `network`, to `payTo`. */
export type X402Price = {
  network: X402Network;
  asset: string;
  amount: bigint;
  payTo: string;
  maxTimeoutSeconds: number;
  /** EVM: the token's EIP-712 `name` and `version`; Solana: the facilitator's `feePayer`. */
  extra: Record<string, string>;
};

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

function requirementsOf(price: X402Price, resource: string) {
  const common = { scheme: 'exact', asset: price.asset, payTo: price.payTo, maxTimeoutSeconds: price.maxTimeoutSeconds, extra: price.extra };
  const v1: PaymentRequirementsV1 = {
    ...common, network: (price.network.v1Name ?? price.network.caip2) as PaymentRequirementsV1['network'], maxAmountRequired: price.amount.toString(),
    resource, description: 'Veridity agent registry query', mimeType: 'application/json', outputSchema: { input: { type: 'http', method: 'GET' } },
  };
  const v2: PaymentRequirements = { ...common, network: price.network.caip2 as PaymentRequirements['network'], amount: price.amount.toString() };
  const read = (version: 1 | 2, raw: unknown): Requirement => {
    const requirement = readRequirement(version, raw);
    if (!requirement.ok) throw new Error(`X402_*: the configured price is not a valid requirement: ${requirement.message}`);
    return requirement.value;
  };
  return { v1, v2, requirement: { 1: read(1, v1), 2: read(2, v2) } };
}

/**
 * The payment gate of paid routes (route-access `paid`): a request without `X-PAYMENT` (v1) or
 * `PAYMENT-SIGNATURE` (v2) gets 402 with the requirements (v1 JSON body, v2 `PAYMENT-REQUIRED`
 * header); a payment is verified offline, its nonce spent and recorded (settled by the facilitator
 * when there is one), and the answer carries `X-PAYMENT-RESPONSE` / `PAYMENT-RESPONSE`. A refused
 * payment is 402 again, with the `reason`.
 */
export function createPaymentGate(deps: X402Deps, price: X402Price, publicUrl: string): { charge(route: string): Hook } {
  return {
    charge(route) {
      const resource = `${publicUrl}${route}`;
      const { v1, v2, requirement } = requirementsOf(price, resource);
      const paymentRequired = (reply: FastifyReply, message: string, refusal?: PaymentRefusal) => {
        reply.header('payment-required', encodePaymentRequiredHeader({ x402Version: 2, error: message, resource: { url: resource, description: v1.description, mimeType: 'application/json' }, accepts: [v2] }));
        reply.header('cache-control', 'no-store');
        return new ApiError('PAYMENT_REQUIRED', message, { x402Version: 1, accepts: [v1], ...(refusal ? { reason: refusal.reason } : {}) });
      };
      return async (request, reply) => {
        const v2Header = request.headers['payment-signature'];
        const v1Header = request.headers['x-payment'];
        const version = v2Header !== undefined ? 2 : 1;
        const header = v2Header ?? v1Header;
        if (header === undefined) throw paymentRequired(reply, 'payment required: send an x402 payment (X-PAYMENT or PAYMENT-SIGNATURE) or a partner key');
        const payment = typeof header === 'string' ? decodePayment(header) : decodePayment('');
        if (!payment.ok) throw paymentRequired(reply, payment.message, payment);
        const settled = await settlePayment(deps, { payment: payment.value, requirement: requirement[version], subject: { purpose: 'query', resource } });
        if (!settled.ok && settled.code === 'PAYMENT_SETTLEMENT_FAILED') throw new ApiError(settled.code, settled.message, { settlement_id: settled.settlementId });
        if (!settled.ok) throw paymentRequired(reply, settled.message, settled);
        const row = settled.value;
        const response = { success: true, transaction: row.transaction ?? '', network: (version === 1 ? v1.network : v2.network) as PaymentRequirements['network'], payer: row.payer };
        reply.header(version === 2 ? 'payment-response' : 'x-payment-response', encodePaymentResponseHeader(response));
      };
    },
  };
}
