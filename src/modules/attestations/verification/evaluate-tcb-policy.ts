import { isTcbStatus } from './types.ts';
import type { Result, TcbStatus } from './types.ts';

/**
 * Accepted unless the relying party says otherwise:
 * - UpToDate: the platform has every TCB recovery Intel has published.
 * - SWHardeningNeeded: the platform is current; the listed advisories are mitigated in software
 *   inside the enclave/TD (the workload's responsibility), so the hardware evidence is sound.
 * Rejected by default: ConfigurationNeeded / ConfigurationAndSWHardeningNeeded (a BIOS or
 * platform setting leaves a known vulnerability open, e.g. SMT or memory integrity), OutOfDate and
 * OutOfDateConfigurationNeeded (missing microcode/firmware fixes), Revoked (never acceptable).
 */
export const DEFAULT_ACCEPTED_TCB_STATUSES: readonly TcbStatus[] = Object.freeze(['UpToDate', 'SWHardeningNeeded']);

export type TcbPolicyResult = Result<{ tcb_status: TcbStatus; reason: string }, 'TCB_STATUS_REJECTED'>;

/** Decides whether a verified quote's TCB status is acceptable; advisories are listed in the reason. */
export function evaluateTcbPolicy(
  tcbStatus: TcbStatus,
  acceptedStatuses: readonly TcbStatus[] = DEFAULT_ACCEPTED_TCB_STATUSES,
  advisoryIds: readonly string[] = [],
): TcbPolicyResult {
  const unknown = acceptedStatuses.filter((status) => !isTcbStatus(status) || status === 'Revoked');
  if (unknown.length > 0) throw new TypeError(`acceptedStatuses holds statuses that can never be accepted: ${unknown.join(', ')}`);
  const advisories = advisoryIds.length > 0 ? ` (advisories: ${advisoryIds.join(', ')})` : '';
  if (acceptedStatuses.includes(tcbStatus)) {
    return { ok: true, value: { tcb_status: tcbStatus, reason: `TCB status ${tcbStatus} is accepted${advisories}` } };
  }
  return {
    ok: false,
    code: 'TCB_STATUS_REJECTED',
    message: `TCB status ${tcbStatus} is not accepted (accepted: ${acceptedStatuses.join(', ') || 'none'})${advisories}`,
  };
}
