import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { revocationLeaf } from './certificate-ledger.ts';
import type { CertificateRow } from './tables.ts';

export type RevokeOutcome = { ok: true; revokedNow: boolean } | { ok: false; code: 'NOT_FOUND' };

/**
 * Revokes one of the partner's certificates, once: the row (status, time, reason; the stored PDF
 * cleared so the next download says revoked), a ledger entry of kind `certificate_revocation` and
 * a `certificate.revoked` webhook, in one transaction. Revoking a revoked certificate changes
 * nothing (the first reason and time stand); another partner's certificate is NOT_FOUND.
 */
export async function revokeCertificate(deps: { pool: Pool; clock: Clock }, clientId: string, id: string, reason: string): Promise<RevokeOutcome> {
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ public_id: string; evidence_id: string; document_sha256: string; status: CertificateRow['status'] }>(
      'SELECT public_id, evidence_id, document_sha256, status FROM certificates WHERE id = $1 AND client_id = $2 FOR UPDATE',
      [id, clientId],
    );
    const row = rows[0];
    if (!row) return { ok: false, code: 'NOT_FOUND' };
    if (row.status === 'REVOKED') return { ok: true, revokedNow: false };
    const revokedAt = new Date(deps.clock.now().getTime());
    await tx.query(
      `UPDATE certificates SET status = 'REVOKED', revoked_at = $2, revocation_reason = $3, pdf_object_key = NULL, pdf_sha256 = NULL WHERE id = $1`,
      [id, revokedAt, reason],
    );
    await appendLedgerEntry(tx, revocationLeaf({ publicId: row.public_id, documentSha256: row.document_sha256, revokedAt }));
    await enqueueWebhookEvent(tx, {
      clientId,
      type: 'certificate.revoked',
      subjectId: id,
      payload: { event: 'certificate.revoked', certificate_id: id, public_id: row.public_id, evidence_id: row.evidence_id, status: 'REVOKED', reason, ts: revokedAt.toISOString() },
    });
    return { ok: true, revokedNow: true };
  });
}
