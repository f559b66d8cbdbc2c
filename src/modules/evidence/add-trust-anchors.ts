import { createHash } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { auditAnchorChange } from './audit-anchor-change.ts';
import { noteTrustChange } from './note-trust-change.ts';
import { MAX_ANCHORS_PER_UPLOAD, type TrustAnchor } from './schema.ts';
import type { AnchorSet, TrustAnchorRow } from './tables.ts';
import { ANCHOR_COLUMNS, toTrustAnchor } from './to-trust-anchor.ts';
import { loadEvidenceVerification } from './load-evidence-verification.ts';
import type { TrustAnchorInspection } from './verification/index.ts';

export type AddTrustAnchorsResult =
  | { ok: true; added: TrustAnchor[]; unchanged: TrustAnchor[]; removed: TrustAnchor[] }
  | { ok: false; reason: string; message: string; refused: Array<{ index: number; reason: string; message: string }> };

type Inspected = Extract<TrustAnchorInspection, { ok: true }>;

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/** Inserts one anchor unless the set holds it already; the row either way, and whether it is new. */
async function insertAnchor(tx: PoolClient, set: AnchorSet, anchor: Inspected, now: Date): Promise<{ row: TrustAnchorRow; added: boolean }> {
  const fingerprint = sha256(anchor.der);
  const certificate = anchor.kind === 'certificate' ? anchor : undefined;
  const crl = anchor.kind === 'crl' ? anchor : undefined;
  const inserted = await tx.query<TrustAnchorRow>(
    `INSERT INTO evidence_trust_anchors (id, client_id, role, kind, sha256_fingerprint, der, issuer, subject, serial_number,
                                         not_before, not_after, self_signed, this_update, next_update, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT ON CONSTRAINT evidence_trust_anchors_owner_fingerprint_key DO NOTHING
     RETURNING ${ANCHOR_COLUMNS}`,
    [
      newId('tra', now.getTime()), set.clientId, set.role, anchor.kind, fingerprint, Buffer.from(anchor.der), anchor.issuer,
      certificate?.subject ?? null, certificate?.serialNumber ?? null, certificate?.notBefore ?? null, certificate?.notAfter ?? null,
      certificate?.selfSigned ?? null, crl?.thisUpdate ?? null, crl?.nextUpdate ?? null, now,
    ],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], added: true };
  const { rows } = await tx.query<TrustAnchorRow>(
    `SELECT ${ANCHOR_COLUMNS} FROM evidence_trust_anchors WHERE client_id IS NOT DISTINCT FROM $1 AND role = $2 AND sha256_fingerprint = $3`,
    [set.clientId, set.role, fingerprint],
  );
  return { row: rows[0]!, added: false };
}

/** The set keeps one CRL per issuer, the newest (by thisUpdate): the others of the issuer are deleted and returned. */
async function keepNewestCrl(tx: PoolClient, set: AnchorSet, issuer: string): Promise<TrustAnchorRow[]> {
  const { rows } = await tx.query<TrustAnchorRow>(
    `WITH crls AS (
       SELECT id, row_number() OVER (ORDER BY this_update DESC, id DESC) AS rank
         FROM evidence_trust_anchors
        WHERE client_id IS NOT DISTINCT FROM $1 AND role = $2 AND kind = 'crl' AND issuer = $3)
     DELETE FROM evidence_trust_anchors WHERE id IN (SELECT id FROM crls WHERE rank > 1)
     RETURNING ${ANCHOR_COLUMNS}`,
    [set.clientId, set.role, issuer],
  );
  return rows;
}

/**
 * PUT .../trust-anchors (or tsa-anchors): adds each certificate and CRL of the upload (a PEM
 * bundle, or one DER) to the set. Each is inspected first (a CA certificate, valid now, an RSA
 * key of at least 2048 bits, ...): one refused refuses the whole upload, naming each refusal,
 * and nothing changes. An anchor the set holds already stays as it is; a CRL replaces the older
 * CRLs of its issuer. All in one transaction, with an audit row per change.
 */
export async function addTrustAnchors(deps: { pool: Pool; clock: Clock }, set: AnchorSet, upload: Uint8Array, actor: AuditActor): Promise<AddTrustAnchorsResult> {
  const now = deps.clock.now();
  const inspected = (await loadEvidenceVerification()).inspectTrustAnchor(upload, now);
  const refused = inspected.flatMap((result, index) => (result.ok ? [] : [{ index, reason: result.reason, message: result.message }]));
  if (inspected.length === 0) {
    return { ok: false, reason: 'UNPARSABLE', message: 'no certificate or CRL in the upload', refused: [] };
  }
  if (inspected.length > MAX_ANCHORS_PER_UPLOAD) {
    return { ok: false, reason: 'TOO_MANY', message: `${inspected.length} certificates and CRLs in one upload, over the limit of ${MAX_ANCHORS_PER_UPLOAD}`, refused: [] };
  }
  if (refused.length > 0) {
    const first = refused[0]!;
    return { ok: false, reason: first.reason, message: refused.map((r) => `item ${r.index}: ${r.reason}: ${r.message}`).join('; '), refused };
  }
  const anchors = inspected.filter((result): result is Inspected => result.ok);
  return inTransaction(deps.pool, async (tx) => {
    const added: TrustAnchorRow[] = [];
    const unchanged: TrustAnchorRow[] = [];
    const deleted: TrustAnchorRow[] = [];
    for (const anchor of anchors) {
      const { row, added: isNew } = await insertAnchor(tx, set, anchor, now);
      (isNew ? added : unchanged).push(row);
      if (row.kind === 'crl' && isNew) deleted.push(...(await keepNewestCrl(tx, set, row.issuer)));
    }
    // A CRL of this upload that an even newer one superseded was never really added.
    const deletedIds = new Set(deleted.map((row) => row.id));
    const addedIds = new Set(added.map((row) => row.id));
    const kept = added.filter((row) => !deletedIds.has(row.id));
    const removed = deleted.filter((row) => !addedIds.has(row.id));
    for (const [action, rows] of [['added', kept], ['removed', removed]] as const) {
      for (const row of rows) await auditAnchorChange(tx, actor, set, { action, row }, now);
    }
    if (kept.length + removed.length > 0) await noteTrustChange(tx, set, now);
    return { ok: true, added: kept.map(toTrustAnchor), unchanged: unchanged.filter((row) => !deletedIds.has(row.id)).map(toTrustAnchor), removed: removed.map(toTrustAnchor) };
  });
}
