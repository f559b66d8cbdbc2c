import client from 'prom-client';
import { queueJobFailures } from '#platform/queue/queue-metrics.ts';

/** Ledger metrics of the process that sequences or audits (serve with embedded workers, or `veridity worker`). */
export type LedgerMetrics = {
  sequenced: client.Counter;
  treeSize: client.Gauge;
  checkpoints: client.Counter;
  checkpointSize: client.Gauge;
  /** Problems found by the last audit (0: the database matches every checkpoint). */
  auditMismatches: client.Gauge;
  auditLastRun: client.Gauge;
  failures: client.Counter<'queue'>;
};

export const LEDGER_QUEUE = 'ledger';

const created = new WeakMap<client.Registry, LedgerMetrics>();

/** The ledger metrics of this registry, created on first use. */
export function createLedgerMetrics(registry: client.Registry): LedgerMetrics {
  let metrics = created.get(registry);
  if (!metrics) {
    metrics = {
      sequenced: new client.Counter({ name: 'veridity_ledger_entries_sequenced_total', help: 'Ledger entries given a position in the log by this process', registers: [registry] }),
      treeSize: new client.Gauge({ name: 'veridity_ledger_tree_size', help: 'Entries in the log after the last batch this process sequenced', registers: [registry] }),
      checkpoints: new client.Counter({ name: 'veridity_ledger_checkpoints_total', help: 'Checkpoints signed by this process', registers: [registry] }),
      checkpointSize: new client.Gauge({ name: 'veridity_ledger_checkpoint_tree_size', help: 'Tree size of the last checkpoint this process signed', registers: [registry] }),
      auditMismatches: new client.Gauge({
        name: 'veridity_ledger_audit_mismatches',
        help: 'Problems the last ledger audit found (altered leaf, node, checkpoint or outcome); 0 when the log matches every checkpoint',
        registers: [registry],
      }),
      auditLastRun: new client.Gauge({ name: 'veridity_ledger_audit_last_run_timestamp_seconds', help: 'When the last ledger audit finished (unix seconds)', registers: [registry] }),
      failures: queueJobFailures(registry),
    };
    created.set(registry, metrics);
  }
  return metrics;
}
