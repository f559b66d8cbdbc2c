import { createHash } from 'node:crypto';
import { sealedColumn } from '#platform/crypto/sealed-columns.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';
import { canonicalize } from '#platform/canonical-json.ts';

/** A response as it went out: status, the headers that describe it (content type, location) and the exact bytes. */
export type StoredResponse = { status: number; headers: Record<string, string>; bytes: Buffer };

export type IdempotencyClaim =
  | { kind: 'new'; complete(response: StoredResponse): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'reused' }
  | { kind: 'in_progress' };

const TTL_MS = 10 * 60 * 1000;

/** What a key is bound to: the endpoint and the body (canonical JSON, so key order and spacing do not matter). */
export function requestHash(request: { method: string; route: string; body: unknown }): Buffer {
  return createHash('sha256').update(canonicalize({ method: request.method, route: request.route, body: request.body ?? null })).digest();
}

/** The stored response is sealed to its key: a row moved to another owner or key does not open. */
const sealedFor = (owner: string, key: string) => `idempotency:${owner}:${key}`;

/** For `veridity rotate-encryption-key`. */
export const IDEMPOTENCY_SEALED_COLUMNS = [
  sealedColumn({ table: 'idempotency_keys', column: 'response_sealed', primaryKey: ['owner', 'key'], contextColumns: [], associatedData: (row) => sealedFor(row.owner, row.key) }),
];

/**
 * Claims an `Idempotency-Key` for its owner (a partner `cli_...`, or the operator) before the work
 * starts (committed at once, so a concurrent duplicate sees it): new -> do the work, then `complete`
 * with the response (4xx included, so a retry sees the same failure) or `release` on an unexpected
 * error; the same key, endpoint and body within 10 minutes -> the stored response, sealed at rest
 * (it may show a secret once more); anything else -> reused.
 */
export async function claimIdempotencyKey(
  deps: { pool: Pool; secretBox: SecretBox },
  owner: string,
  key: string,
  hash: Buffer,
  now: Date,
): Promise<IdempotencyClaim> {
  const { pool, secretBox } = deps;
  // An expired row is as good as absent.
  await pool.query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND expires_at <= $3', [owner, key, now]);
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (owner, key, request_hash, state, created_at, expires_at)
     VALUES ($1, $2, $3, 'in_progress', $4, $5) ON CONFLICT DO NOTHING`,
    [owner, key, hash, now, new Date(now.getTime() + TTL_MS)],
  );
  if (inserted.rowCount === 1) {
    return {
      kind: 'new',
      async complete(response) {
        await pool.query(
          `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_headers = $4, response_sealed = $5
            WHERE owner = $1 AND key = $2`,
          [owner, key, response.status, JSON.stringify(response.headers), secretBox.encrypt(response.bytes, sealedFor(owner, key))],
        );
      },
      async release() {
        await pool.query(`DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND state = 'in_progress'`, [owner, key]);
      },
    };
  }
  const { rows } = await pool.query<{ request_hash: Buffer; state: string; response_status: number | null; response_headers: Record<string, string> | null; response_sealed: string | null }>(
    'SELECT request_hash, state, response_status, response_headers, response_sealed FROM idempotency_keys WHERE owner = $1 AND key = $2',
    [owner, key],
  );
  const row = rows[0];
  if (!row) return claimIdempotencyKey(deps, owner, key, hash, now); // expired and purged in between
  if (!row.request_hash.equals(hash)) return { kind: 'reused' };
  if (row.state !== 'completed') return { kind: 'in_progress' };
  const bytes = secretBox.decrypt(row.response_sealed!, sealedFor(owner, key));
  return { kind: 'replay', response: { status: row.response_status!, headers: row.response_headers ?? {}, bytes } };
}

/** Expired keys are ignored already; this only reclaims their rows. */
export async function purgeExpiredIdempotencyKeys(pool: Pool, now: Date): Promise<number> {
  const result = await pool.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now]);
  return result.rowCount ?? 0;
}
