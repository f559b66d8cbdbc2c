import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Clock } from '#platform/clock.ts';
import { auditLedger } from './audit-ledger.ts';
import type { LedgerMetrics } from './metrics.ts';
import type { OutcomeSources } from './outcome-sources.ts';

/**
 * The daily audit job: auditLedger, then an alert in the log and `veridity_ledger_audit_mismatches`
 * set to the number of problems (0 when the log is intact), for alerting rules to watch.
 * Returns the counts the worker logs.
 */
export async function runLedgerAudit(deps: { pool: Pool; log: Logger; clock: Clock; metrics: LedgerMetrics; outcomeSources: OutcomeSources }): Promise<{ tree_size: number; checkpoints: number; problems: number }> {
  const report = await auditLedger(deps);
  deps.metrics.auditMismatches.set(report.problemCount);
  deps.metrics.auditLastRun.set(deps.clock.now().getTime() / 1000);
  if (report.ok) {
    deps.log.info({ tree_size: report.treeSize, checkpoints: report.checkpoints, outcomes_checked: report.outcomesChecked }, 'ledger audit: the log matches every checkpoint');
  } else {
    deps.log.error(
      { alert: 'ledger_audit', tree_size: report.treeSize, problem_count: report.problemCount, problems: report.problems.slice(0, 20) },
      'ledger audit FAILED: the database no longer matches the signed log (run veridity verify-ledger for the details)',
    );
  }
  return { tree_size: report.treeSize, checkpoints: report.checkpoints, problems: report.problemCount };
}
