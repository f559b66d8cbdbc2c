import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { purgeExpiredIdempotencyKeys } from '#platform/http/idempotency.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { purgeUsedNonces } from '#modules/zk/verify/purge-used-nonces.ts';
import { purgeExpiredEvidence, type EvidencePurgeReport, type EvidenceRetention } from '#modules/evidence/purge-expired-evidence.ts';

export type MaintenanceReport = { partitions_created: number; nonces_purged: number; idempotency_keys_purged: number } & EvidencePurgeReport;

export type MaintenanceDeps = { pool: Pool; clock: Clock; storage: ObjectStorage; evidenceRetention: EvidenceRetention };

/** Idempotent: safe to run from several workers, or twice in an hour. */
export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceReport> {
  const now = deps.clock.now();
  const partitions = await deps.pool.query<{ n: number }>('SELECT ensure_proofs_partitions($1::date, 2) AS n', [now.toISOString().slice(0, 10)]);
  return {
    partitions_created: partitions.rows[0]?.n ?? 0,
    nonces_purged: await purgeUsedNonces(deps.pool, now),
    idempotency_keys_purged: await purgeExpiredIdempotencyKeys(deps.pool, now),
    ...(await purgeExpiredEvidence(deps, deps.evidenceRetention)),
  };
}
