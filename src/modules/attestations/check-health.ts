import type { Pool } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';

const CHECK_TIMEOUT_MS = 2_000;
const PROBE_KEY = 'health/probe';

type Check = { status: 'ok' | 'down'; latency_ms: number; error?: string };

export type DetailedHealth = {
  status: 'ok' | 'degraded';
  checks: {
    database: Check;
    queue: Check & { name: string; paused?: boolean; pending?: number; active?: number; oldest_pending_seconds?: number };
    storage: Check & { backend: 's3' | 'file'; bucket: string };
  };
};

/**
 * GET /health/detailed, as the seed describes it: the database answers, the task queue (depth,
 * paused) and object storage (a read of a probe key: a missing key is an answer, an error or a
 * timeout is not). Each check is bounded, so a hung dependency yields `down`, not a hung request.
 */
export async function checkHealth(deps: { pool: Pool; storage: ObjectStorage }): Promise<DetailedHealth> {
  const [database, queue, storage] = await Promise.all([
    timed(async () => {
      await deps.pool.query('SELECT 1');
      return {};
    }),
    timed(async () => {
      const { rows } = await deps.pool.query<{ paused: boolean | null; pending: number; active: number; oldest: number | null }>(
        `SELECT (SELECT paused FROM queue_controls WHERE queue = $1) AS paused,
                count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status = 'active')::int AS active,
                extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest
           FROM attestation_tasks WHERE status IN ('pending', 'active')`,
        [VerifyAttestationTaskJob.name],
      );
      const row = rows[0]!;
      return { paused: row.paused ?? false, pending: row.pending, active: row.active, oldest_pending_seconds: Math.max(0, row.oldest ?? 0) };
    }),
    timed(async () => {
      await deps.storage.get(PROBE_KEY);
      return {};
    }),
  ]);
  const checks = {
    database,
    queue: { name: VerifyAttestationTaskJob.name, ...queue },
    storage: { backend: deps.storage.backend, bucket: deps.storage.bucket, ...storage },
  };
  const healthy = [database, queue, storage].every((check) => check.status === 'ok');
  return { status: healthy ? 'ok' : 'degraded', checks };
}

async function timed<T extends object>(probe: () => Promise<T>): Promise<Check & Partial<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latency_ms: Math.round(performance.now() - started), ...value };
  } catch (error) {
    return { status: 'down', latency_ms: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) } as Check & Partial<T>;
  } finally {
    clearTimeout(timer);
  }
}
