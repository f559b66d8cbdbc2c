import type { LedgerLeafFields } from '#modules/ledger/tlog/index.ts';

/**
 * How certificates appear in the ledger, in one place for the writers (issue, revoke) and the
 * audit's outcome sources. The leaf names the certificate by its public id (leaves are public) and
 * carries the certified document's SHA-256; a revocation is an entry of its own kind.
 */
export const CERTIFICATE_KIND = 'certificate';
export const REVOCATION_KIND = 'certificate_revocation';

export function issuanceLeaf(certificate: { publicId: string; documentSha256: string; createdAt: Date }): LedgerLeafFields {
  return { kind: CERTIFICATE_KIND, public_id: certificate.publicId, claim_type: null, status: 'certified', public_hash: certificate.documentSha256, ts: certificate.createdAt };
}

export function revocationLeaf(certificate: { publicId: string; documentSha256: string; revokedAt: Date }): LedgerLeafFields {
  return { kind: REVOCATION_KIND, public_id: certificate.publicId, claim_type: null, status: 'revoked', public_hash: certificate.documentSha256, ts: certificate.revokedAt };
}
