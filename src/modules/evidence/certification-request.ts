import type { PoolClient } from '#platform/db/pool.ts';
import type { ErasureReport, EvidenceSigner, EvidenceTimestamp, VerifiedEvidence } from './verification/index.ts';

type Sanitization = ErasureReport['sanitization'];

/** What a certificate says about verified evidence (the certificates module's issue input, as this module fills it), in the verifier's terms. */
export type CertificationRequest = {
  partnerId: string;
  evidenceId: string;
  document: { sha256: string; mediaType: string; schema: VerifiedEvidence['document']['schema'] };
  /** An erasure report's summary; null for an opaque document. */
  report: null | {
    device: Omit<ErasureReport['device'], 'capacity_bytes'> & { capacity: number };
    method: Sanitization['method'];
    result: Sanitization['result'];
    startedAt: string;
    endedAt: string;
  };
  signer: Pick<EvidenceSigner, 'subject' | 'issuer' | 'serialNumber' | 'sha256Fingerprint'>;
  timestamp: EvidenceTimestamp | null;
};

/**
 * Issues the certificate of verified evidence on the caller's transaction (the certificates
 * module's issueCertificate, wired by the app): the evidence outcome and its certificate commit
 * together or not at all.
 */
export type CertifyEvidence = (tx: PoolClient, request: CertificationRequest) => Promise<{ certificateId: string; publicId: string }>;

/** The certificate's content: the signed document, a summary of an erasure report, the first signer and its timestamp. */
export function certificationRequest(evidence: { id: string; clientId: string }, verified: VerifiedEvidence): CertificationRequest {
  const signer = verified.signers[0]!;
  const report = verified.document.schema === 'erasure-report/v1' ? verified.document.report : undefined;
  return {
    partnerId: evidence.clientId,
    evidenceId: evidence.id,
    document: { sha256: verified.contentSha256, mediaType: verified.mediaType, schema: verified.document.schema },
    report: report
      ? {
          device: { type: report.device.type, manufacturer: report.device.manufacturer, model: report.device.model, serial: report.device.serial, capacity: report.device.capacity_bytes },
          method: report.sanitization.method,
          result: report.sanitization.result,
          startedAt: report.sanitization.started_at,
          endedAt: report.sanitization.ended_at,
        }
      : null,
    signer: { subject: signer.subject, issuer: signer.issuer, serialNumber: signer.serialNumber, sha256Fingerprint: signer.sha256Fingerprint },
    timestamp: verified.timestamp,
  };
}
