import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { certificateIssuerDeps, issueCertificate } from '#modules/certificates/issue-certificate.ts';
import type { CertifyEvidence } from '#modules/evidence/certification-request.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';

/**
 * The evidence worker's certification step, wired here to the certificates module (neither module
 * imports the other): verified evidence gets its certificate in the worker's transaction, signed
 * with the platform's `certificates` key, naming `publicUrl` (PUBLIC_URL) as where it is verified;
 * `notify` (the notifications module's, when e-mail is on) queues the partner's e-mail with it.
 */
export function evidenceCertifier(deps: { secretBox: SecretBox; clock: Clock; publicUrl: string; notify?: NotifyPartner }): (pool: Pool) => CertifyEvidence {
  return (pool) => {
    const issuer = certificateIssuerDeps({
      platformKeys: createPlatformKeys({ db: wrapPool(pool), secretBox: deps.secretBox }),
      clock: deps.clock,
      publicUrl: deps.publicUrl,
      ...(deps.notify ? { notify: deps.notify } : {}),
    });
    return (tx, request) => issueCertificate(tx, issuer, request);
  };
}
