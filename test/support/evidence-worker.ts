import type { Clock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import type { Logger } from '#platform/logger.ts';
import { createEvidenceEncryptionKeys } from '#modules/evidence/evidence-encryption-keys.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { evidenceCertifier } from '#src/evidence-certification.ts';
import { TEST_PUBLIC_URL } from './issued-certificates.ts';
import type { TestApp } from './test-app.ts';

/** The evidence worker's dependencies as `veridity worker evidence` builds them, on the test app's database and storage. */
export function evidenceWorkerDeps(t: TestApp, options: { clock: Clock; encryptionKey: Buffer; log: Logger }): EvidenceWorkerDeps {
  const secretBox = createSecretBox([options.encryptionKey]);
  return {
    pool: t.database.pool,
    clock: options.clock,
    log: options.log,
    storage: t.storage,
    encryptionKeys: createEvidenceEncryptionKeys({ pool: t.database.pool, secretBox, clock: options.clock }),
    certify: evidenceCertifier({ secretBox, clock: options.clock, publicUrl: TEST_PUBLIC_URL })(t.database.pool),
  };
}
