import type { PoolClient } from '#platform/db/pool.ts';
import { notInLedger, type OutcomeSource } from '#modules/ledger/outcome-sources.ts';
import { CERTIFICATE_KIND, issuanceLeaf, REVOCATION_KIND, revocationLeaf } from './certificate-ledger.ts';

/** What the sources read: a certificate as the ledger named it. */
type LoggedRow = { public_id: string; document_sha256: string; created_at: Date; revoked_at: Date | null };

/** `condition` is one of this file's constants, never input. */
async function loggedRows(db: PoolClient, condition: 'true' | 'revoked_at IS NOT NULL', publicIds: readonly string[]): Promise<LoggedRow[]> {
  const { rows } = await db.query<LoggedRow>(`SELECT public_id, document_sha256, created_at, revoked_at FROM certificates WHERE public_id = ANY($1::text[]) AND ${condition}`, [publicIds]);
  return rows;
}

/** Certificates issued (or revoked) since `since` whose entry of `kind` is missing. */
async function unlogged(db: PoolClient, kind: string, at: 'created_at' | 'revoked_at', since: Date, limit: number): Promise<{ count: number; examples: string[] }> {
  const { rows } = await db.query<{ public_id: string; total: number }>(
    `SELECT public_id, count(*) OVER ()::int AS total FROM certificates
      WHERE ${at} >= $1 AND ${notInLedger(kind, 'certificates.public_id')}
      ORDER BY ${at} LIMIT $2`,
    [since, limit],
  );
  return { count: rows[0]?.total ?? 0, examples: rows.map((row) => row.public_id) };
}

/**
 * Certificate issuances: logged under the public id (the leaf is public), so a partner's receipt
 * request by `crt_...` is translated to it; the leaf is rebuilt from the row as issue-certificate.ts wrote it.
 */
export const certificateOutcomes: OutcomeSource = {
  receipts: {
    idPrefix: 'crt',
    async entryIdFor(db, clientId, id) {
      const { rows } = await db.query<{ public_id: string }>('SELECT public_id FROM certificates WHERE id = $1 AND client_id = $2', [id, clientId]);
      return rows[0]?.public_id;
    },
  },
  async outcomes(db, publicIds) {
    const rows = await loggedRows(db, 'true', publicIds);
    return new Map(rows.map((row) => [row.public_id, issuanceLeaf({ publicId: row.public_id, documentSha256: row.document_sha256, createdAt: row.created_at })]));
  },
  unlogged: (db, since, limit) => unlogged(db, CERTIFICATE_KIND, 'created_at', since, limit),
};

/** Revocations: an entry of their own kind, present exactly while the row says revoked (a revocation undone in the table shows as OUTCOME_MISSING). */
export const certificateRevocationOutcomes: OutcomeSource = {
  async outcomes(db, publicIds) {
    const rows = await loggedRows(db, 'revoked_at IS NOT NULL', publicIds);
    return new Map(rows.map((row) => [row.public_id, revocationLeaf({ publicId: row.public_id, documentSha256: row.document_sha256, revokedAt: row.revoked_at! })]));
  },
  unlogged: (db, since, limit) => unlogged(db, REVOCATION_KIND, 'revoked_at', since, limit),
};
