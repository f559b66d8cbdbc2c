import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { type CertificatePdf, getCertificatePdf } from './get-certificate-pdf.ts';
import { getCertificate } from './get-certificate.ts';
import { PLATFORM_NAME } from './issue-certificate.ts';
import { createPdfSigner } from './pdf-signer.ts';

export type PartnerCertificatePdf = CertificatePdf | { state: 'missing' };

/**
 * A partner's certificate PDF by id, for code outside the HTTP app (the notifications worker):
 * the same stored-or-rendered-once PDF a download gets, `pending` until the ledger has its receipt,
 * `missing` for an id that is not the partner's.
 */
export function partnerCertificatePdfLoader(deps: { pool: Pool; storage: ObjectStorage; secretBox: SecretBox; clock: Clock; publicUrl: string }): (clientId: string, certificateId: string) => Promise<PartnerCertificatePdf> {
  const db = wrapPool(deps.pool);
  const pdfSigner = createPdfSigner({ db, platformKeys: createPlatformKeys({ db, secretBox: deps.secretBox }), clock: deps.clock, platformName: PLATFORM_NAME });
  return async (clientId, certificateId) => {
    const row = await getCertificate({ db }, clientId, certificateId);
    if (!row) return { state: 'missing' };
    return getCertificatePdf({ pool: deps.pool, storage: deps.storage, pdfSigner, publicUrl: deps.publicUrl }, row);
  };
}
