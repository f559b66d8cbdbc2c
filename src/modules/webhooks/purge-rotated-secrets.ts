import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';

/** Deletes previous webhook secrets whose 24 h rotation window is over (they no longer sign anything). */
export async function purgeRotatedSecrets(deps: { pool: Pool; clock: Clock }): Promise<{ purged: number }> {
  const { rowCount } = await deps.pool.query(
    `UPDATE webhook_endpoints SET previous_secret_sealed = NULL, previous_secret_expires_at = NULL
      WHERE previous_secret_expires_at <= $1`,
    [deps.clock.now()],
  );
  return { purged: rowCount ?? 0 };
}
