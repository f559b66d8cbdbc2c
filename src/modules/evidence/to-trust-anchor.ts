import type { TrustAnchor } from './schema.ts';
import type { TrustAnchorRow } from './tables.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Every column of evidence_trust_anchors under its drizzle name, so raw queries return `TrustAnchorRow`s. */
export const ANCHOR_COLUMNS = `id, client_id AS "clientId", role, kind, sha256_fingerprint AS "sha256Fingerprint", der, issuer, subject,
  serial_number AS "serialNumber", not_before AS "notBefore", not_after AS "notAfter", self_signed AS "selfSigned",
  this_update AS "thisUpdate", next_update AS "nextUpdate", created_at AS "createdAt"`;

/** A trust anchor as the API shows it (never its DER: the fingerprint names it). */
export function toTrustAnchor(row: TrustAnchorRow): TrustAnchor {
  return {
    id: row.id,
    kind: row.kind,
    sha256_fingerprint: row.sha256Fingerprint,
    scope: row.clientId === null ? 'operator' : 'partner',
    subject: row.subject,
    issuer: row.issuer,
    serial_number: row.serialNumber,
    not_before: iso(row.notBefore),
    not_after: iso(row.notAfter),
    self_signed: row.selfSigned,
    this_update: iso(row.thisUpdate),
    next_update: iso(row.nextUpdate),
    created_at: row.createdAt.toISOString(),
  };
}
