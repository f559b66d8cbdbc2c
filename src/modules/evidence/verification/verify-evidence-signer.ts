import type * as pkijs from 'pkijs';
import { CLOCK_SKEW_MS, EVIDENCE_LIMITS } from './limits.ts';
import { OID } from './oids.ts';
import type { CertificateFacts } from './read-certificate.ts';
import type { TrustFacts } from './read-trust.ts';
import { validateCertificatePath } from './validate-certificate-path.ts';
import { verifySignerInfo } from './verify-signer-info.ts';
import { verifyTimestampToken, type VerifiedTimestamp } from './verify-timestamp-token.ts';
import { accept, reject, type EvidenceSigner, type Step } from './types.ts';

export type EvidenceSignerInput = {
  signerInfo: pkijs.SignerInfo;
  certificates: readonly CertificateFacts[];
  eContentType: string;
  content: Uint8Array;
  trust: TrustFacts;
};

/**
 * One evidence signer, completely: its signature and signed attributes, its signature
 * timestamps, then its certificate path at the time of validation. That time is the earliest
 * trusted timestamp when there is one; otherwise the certificates must be valid both at the
 * signing-time (when given) and now: a self-asserted signing-time alone never lets an expired
 * certificate pass. keyUsage, when present, must allow digitalSignature or nonRepudiation.
 */
export function verifyEvidenceSigner({ signerInfo, certificates, eContentType, content, trust }: EvidenceSignerInput): Step<{ signer: EvidenceSigner; validatedAt: Date }> {
  const checked = verifySignerInfo({ signerInfo, certificates, eContentType, content });
  if (!checked.ok) return checked;
  const { certificate, signingTime } = checked.value;
  if (signingTime && signingTime > trust.latestAcceptable) {
    return reject('SIGNING_TIME_INVALID', `signer ${certificate.subject}: signing-time ${signingTime.toISOString()} is in the future`);
  }

  const tokens = (signerInfo.unsignedAttrs?.attributes ?? [])
    .filter((attribute) => attribute.type === OID.signatureTimeStampToken)
    .flatMap((attribute) => attribute.values as unknown[]);
  if (tokens.length > EVIDENCE_LIMITS.maxTimestampsPerSigner) {
    return reject('LIMIT_EXCEEDED', `signer ${certificate.subject} carries ${tokens.length} timestamps (at most ${EVIDENCE_LIMITS.maxTimestampsPerSigner})`);
  }
  const signature = signerInfo.signature.valueBlock.valueHexView;
  const timestamps: VerifiedTimestamp[] = [];
  for (const token of tokens) {
    const timestamp = verifyTimestampToken(token, signature, trust);
    if (!timestamp.ok) return timestamp;
    timestamps.push(timestamp.value);
  }
  const earliest = timestamps.reduce<VerifiedTimestamp | null>((first, timestamp) => (!first || timestamp.time < first.time ? timestamp : first), null);
  if (earliest && signingTime && signingTime.getTime() > earliest.time.getTime() + CLOCK_SKEW_MS) {
    return reject('SIGNING_TIME_INVALID', `signer ${certificate.subject}: signing-time ${signingTime.toISOString()} is after its timestamp ${earliest.time.toISOString()}`);
  }

  const validAt = earliest
    ? [{ time: earliest.time, label: 'the timestamp time' }]
    : [...(signingTime ? [{ time: signingTime, label: 'the signing time' }] : []), { time: trust.now, label: 'now (no trusted timestamp)' }];
  const path = validateCertificatePath({ leaf: certificate, intermediates: certificates, anchors: trust.anchors, crls: trust.crls, validAt });
  if (!path.ok) return path;
  if (certificate.keyUsage && !certificate.keyUsage.has('digitalSignature') && !certificate.keyUsage.has('nonRepudiation')) {
    return reject('KEY_USAGE_INVALID', `the keyUsage of ${certificate.subject} allows neither digitalSignature nor nonRepudiation`);
  }
  return accept({
    signer: {
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
      sha256Fingerprint: certificate.sha256Fingerprint,
      signatureAlgorithm: checked.value.scheme.name,
      signingTime: signingTime?.toISOString() ?? null,
      timestamp: earliest ? { time: earliest.time.toISOString(), tsa: earliest.tsa.subject } : null,
    },
    validatedAt: earliest?.time ?? trust.now,
  });
}
