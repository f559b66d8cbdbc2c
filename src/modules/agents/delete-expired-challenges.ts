import type { Pool } from '#platform/db/pool.ts';

/**
 * Expired ownership challenges nobody answered (a used one stays: its id is the primary key of
 * the accepted proof, which keeps it from being used twice). Idempotent.
 */
export async function deleteExpiredChallenges(pool: Pool, now: Date): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM registry_challenges c WHERE c.expires_at < $1
        AND NOT EXISTS (SELECT 1 FROM registry_ownership_proofs p WHERE p.challenge_id = c.id)`,
    [now],
  );
  return rowCount ?? 0;
}
