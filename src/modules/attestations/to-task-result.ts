import type { TaskResult } from './schema.ts';
import type { StoredTaskResult } from './decide-task-outcome.ts';

/**
 * The API view of a task's stored summary: the same content, in the seed's camelCase (the row
 * keeps the verification core's snake_case, so rows written before the rename read the same).
 */
export function toTaskResult(stored: StoredTaskResult): TaskResult {
  const { details } = stored;
  const app = details.app_info;
  return {
    isValid: stored.is_valid,
    reason: stored.reason,
    evidenceKind: stored.evidence_kind,
    verifiedAt: stored.verified_at,
    details: {
      quoteVerified: details.quote_verified,
      eventLogVerified: details.event_log_verified,
      osImageHashVerified: details.os_image_hash_verified,
      tee: details.tee,
      tcbStatus: details.tcb_status,
      advisoryIds: details.advisory_ids,
      fmspc: details.fmspc,
      reportData: details.report_data,
      measurements: details.measurements && camelCaseKeys(details.measurements),
      appInfo: app && {
        appId: app.app_id,
        composeHash: app.compose_hash,
        instanceId: app.instance_id,
        osImageHash: app.os_image_hash,
        deviceId: app.device_id,
        keyProvider: app.key_provider,
        mrSystem: app.mr_system,
        mrAggregated: app.mr_aggregated,
      },
      checks: details.checks,
    },
    failures: stored.failures,
  };
}

/** Report field names (mr_td, rt_mr0, isv_prod_id) as camelCase (mrTd, rtMr0, isvProdId). */
function camelCaseKeys(fields: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase()), value]));
}
