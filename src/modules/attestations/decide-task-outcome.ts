import type { AppInfo, AttestationFailure } from './verification/index.ts';
import type { TaskVerification } from './verify-task-evidence.ts';

export type TaskOutcome = { status: 'completed' } | { status: 'failed'; errorCode: string; errorMessage: string };

/**
 * A task fails when its evidence could not be appraised: it does not parse, or the quote does not
 * verify against Intel's collateral (expired or missing collateral, a broken signature, a TCB
 * level that matches nothing, ...). It completes, with `is_valid`, when it could be appraised: a
 * verified quote whose TCB status the policy rejects, or a compose hash other than the expected,
 * is a verdict about genuine evidence, not a failure to verify it.
 */
export function decideTaskOutcome(verification: TaskVerification): TaskOutcome {
  const blocking = verification.failures.find(isUnappraisable);
  if (!blocking) return { status: 'completed' };
  return { status: 'failed', errorCode: blocking.code, errorMessage: `${blocking.check}: ${blocking.message}` };
}

function isUnappraisable(failure: AttestationFailure): boolean {
  if (failure.check === 'evidence') return true;
  if (failure.check === 'hardware') return failure.code !== 'TCB_STATUS_REJECTED';
  return failure.code.endsWith('_MALFORMED');
}

/**
 * What the task row keeps (its `summary`), in the verification core's words (dstack's snake_case);
 * the API shows it camelCase (toTaskResult), and the stored result document has every detail.
 */
export type StoredTaskResult = Pick<TaskVerification, 'is_valid' | 'reason' | 'evidence_kind' | 'failures'> & {
  verified_at: string;
  details: Pick<
    TaskVerification['details'],
    'quote_verified' | 'event_log_verified' | 'os_image_hash_verified' | 'tee' | 'tcb_status' | 'advisory_ids' | 'fmspc' | 'report_data' | 'measurements' | 'checks'
  > & {
    app_info: Pick<AppInfo, 'app_id' | 'compose_hash' | 'instance_id' | 'os_image_hash' | 'device_id' | 'key_provider' | 'mr_system' | 'mr_aggregated'> | null;
  };
};

export function summarizeVerification(verification: TaskVerification, verifiedAt: Date): StoredTaskResult {
  const { details } = verification;
  const app = details.app_info;
  return {
    is_valid: verification.is_valid,
    reason: verification.reason,
    evidence_kind: verification.evidence_kind,
    verified_at: verifiedAt.toISOString(),
    details: {
      quote_verified: details.quote_verified,
      event_log_verified: details.event_log_verified,
      os_image_hash_verified: details.os_image_hash_verified,
      tee: details.tee,
      tcb_status: details.tcb_status,
      advisory_ids: details.advisory_ids,
      fmspc: details.fmspc,
      report_data: details.report_data,
      measurements: details.measurements,
      app_info: app && {
        app_id: app.app_id,
        compose_hash: app.compose_hash,
        instance_id: app.instance_id,
        os_image_hash: app.os_image_hash,
        device_id: app.device_id,
        key_provider: app.key_provider,
        mr_system: app.mr_system,
        mr_aggregated: app.mr_aggregated,
      },
      checks: details.checks,
    },
    failures: verification.failures,
  };
}
