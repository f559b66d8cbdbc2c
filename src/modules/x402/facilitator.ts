import type { Payment } from './payment.ts';
import type { PaymentRequirements } from '@x402/core/types';

/** What a facilitator's `/settle` answered, reduced to what is recorded. */
export type FacilitatorOutcome = { ok: true; transaction: string } | { ok: false; error: string };

/** Puts a verified payment on chain. */
export type Facilitator = { settle(payment: Payment, requirements: PaymentRequirements): Promise<FacilitatorOutcome> };

const TIMEOUT_MS = 30_000;

/**
 * An x402 facilitator over HTTP (`X402_FACILITATOR_URL`): POST `{x402Version, paymentPayload,
 * paymentRequirements}` to `<url>/settle`, as the x402 facilitator API defines it; `success` with
 * `transaction` (the chain's reference) is a settlement, anything else a failure with its reason.
 */
export function createHttpFacilitator(baseUrl: string): Facilitator {
  const url = `${baseUrl.replace(/\/+$/, '')}/settle`;
  return {
    async settle(payment, requirements) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ x402Version: payment.x402Version, paymentPayload: payment, paymentRequirements: requirements }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const body = (await response.json().catch(() => null)) as { success?: unknown; transaction?: unknown; errorReason?: unknown } | null;
        if (response.ok && body?.success === true && typeof body.transaction === 'string' && body.transaction.length > 0 && body.transaction.length <= 200) {
          return { ok: true, transaction: body.transaction };
        }
        const reason = typeof body?.errorReason === 'string' ? body.errorReason.slice(0, 200) : `HTTP ${response.status}`;
        return { ok: false, error: `the facilitator did not settle: ${reason}` };
      } catch (error) {
        return { ok: false, error: `the facilitator could not be reached: ${(error as Error).name}` };
      }
    },
  };
}
