import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { type CertificateIssueInput, certificateIssuerDeps, type IssuedCertificate, issueCertificate } from '#modules/certificates/issue-certificate.ts';
import type { TestApp } from './test-app.ts';

/** The PUBLIC_URL the test apps run with (buildApp's default). */
export const TEST_PUBLIC_URL = 'http://localhost:3000';

/** What the evidence worker hands over for a verified erasure report (the evidence path itself is the evidence module's). */
export function erasureReportInput(partnerId: string, overrides: Partial<CertificateIssueInput> = {}): CertificateIssueInput {
  return {
    partnerId,
    evidenceId: `evd_${randomBytes(13).toString('hex').slice(0, 26)}`,
    document: { sha256: createHash('sha256').update(randomBytes(32)).digest('hex'), mediaType: 'application/json', schema: 'erasure-report/v1' },
    report: {
      device: { type: 'ssd', manufacturer: 'Samsung', model: 'PM9A3', serial: 'S64CNE0R812345', capacity: 960_197_124_096 },
      method: 'purge',
      result: 'success',
      startedAt: '2026-03-14T08:02:11.000Z',
      endedAt: '2026-03-14T08:41:57.000Z',
    },
    signer: { subject: 'CN=Erasure station 7,O=Acme Recycling', issuer: 'CN=Acme Recycling Stations CA', serialNumber: '4f2a91c3', sha256Fingerprint: createHash('sha256').update('station 7').digest('hex') },
    timestamp: { time: '2026-03-14T08:42:00.000Z', tsa: 'CN=Test TSA' },
    ...overrides,
  };
}

/** Issues a certificate as the evidence worker does: in a transaction of the caller's, with the app's own keys. */
export function issueTestCertificate(t: TestApp, clock: Clock, input: CertificateIssueInput): Promise<IssuedCertificate> {
  return inTransaction(t.database.pool, (tx) => issueCertificate(tx, certificateIssuerDeps({ platformKeys: t.platformKeys, clock, publicUrl: TEST_PUBLIC_URL }), input));
}
