import { createHash } from 'node:crypto';
import { evaluateTcbPolicy } from './evaluate-tcb-policy.ts';
import type { ParsedQuote } from './parse-quote.ts';
import type { QuoteFailureCode, TcbStatus } from './types.ts';
import { verifyParsedQuote } from './verify-quote.ts';

export type TeeControlledKeyFailureCode = QuoteFailureCode | 'TCB_STATUS_REJECTED' | 'ACCOUNT_KEY_NOT_BOUND';

/**
 * teeControlledKey check (dstack gateway): the ACME account that obtains the domain's certificates
 * is bound to a TEE. The account quote must verify, pass the TCB policy, and carry
 * report_data = SHA-512("acme-account:" || account URI).
 */
export function verifyTeeControlledKey(
  input: { accountUri: string; accountQuote: ParsedQuote; collateral: unknown },
  options: { verifyAt: Date; acceptedTcbStatuses?: readonly TcbStatus[] },
): { ok: true; value: { tcb_status: TcbStatus } } | { ok: false; code: TeeControlledKeyFailureCode; message: string } {
  const verified = verifyParsedQuote(input.accountQuote, input.collateral, { verifyAt: options.verifyAt });
  if (!verified.ok) return { ...verified, message: `account quote: ${verified.message}` };
  const policy = evaluateTcbPolicy(verified.value.tcb_status, options.acceptedTcbStatuses, verified.value.advisory_ids);
  if (!policy.ok) return { ...policy, message: `account quote: ${policy.message}` };
  const expected = createHash('sha512').update(`acme-account:${input.accountUri}`).digest('hex');
  if (verified.value.measurements.report_data !== expected) {
    return {
      ok: false,
      code: 'ACCOUNT_KEY_NOT_BOUND',
      message: `account quote report_data is not SHA-512("acme-account:${input.accountUri}")`,
    };
  }
  return { ok: true, value: { tcb_status: verified.value.tcb_status } };
}
