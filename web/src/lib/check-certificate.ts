import { type CertificateCheck, type CertificateCheckResult, type CertificateJwkSet, type EvidenceCertificate, verifyCertificate } from '../../../sdk/client/src/certificates.ts';

/**
 * An evidence certificate (the JSON of GET /api/v1/certificates/{id}/certificate.json) checked in
 * the browser by the client SDK's verifyCertificate (the rules of `veridity verify-certificate`),
 * against the certificates keys and the ledger key the page pins, shown as a list of checks; then,
 * when asked, whether the platform has revoked it since: the one check that is not offline.
 */

export const CERTIFICATE_STEPS = [
  { id: 'certificate_signature', title: 'Certificate signed by the platform (Ed25519 JWS)', where: 'offline' },
  { id: 'checkpoint_signature', title: "Receipt's checkpoint signed by the ledger key (Ed25519)", where: 'offline' },
  { id: 'ledger_inclusion', title: "Certificate's entry included in the checkpoint's tree", where: 'offline' },
  { id: 'anchor', title: 'Public-chain anchor names that checkpoint', where: 'offline' },
  { id: 'not_revoked', title: 'Not revoked (asked this server)', where: 'online' },
] as const;

export type CertificateStepId = (typeof CERTIFICATE_STEPS)[number]['id'];
export type CertificateStep = {
  id: CertificateStepId;
  title: string;
  where: 'offline' | 'online';
  status: 'passed' | 'failed' | 'not_run' | 'not_applicable';
  detail: string;
};

/** What the platform says of a public id now; `unknown`: not on record there. */
export type RevocationStatus = 'valid' | 'revoked' | 'unknown';

export type CertificateReport = {
  ok: boolean;
  failure?: { code: string; message: string };
  steps: CertificateStep[];
  /** The signed certificate, once its signature verified. */
  certificate?: EvidenceCertificate;
  /** Answered by the platform, when it was asked. */
  status?: RevocationStatus;
};

const STATUS: Record<CertificateCheckResult, CertificateStep['status']> = { pass: 'passed', fail: 'failed', not_checked: 'not_run', not_applicable: 'not_applicable' };

/** Does the text look like a certificate (its JSON or compact JWS) rather than a receipt? */
export function looksLikeCertificate(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('{') || /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\s*$/.test(start);
}

/**
 * @param askStatus asks the platform for the certificate's status (online); without it the report
 *   says revocation was not checked.
 */
export async function checkCertificate(
  document: string | Uint8Array,
  trust: { certificateKeys: CertificateJwkSet; ledgerKey: string },
  askStatus?: (publicId: string) => Promise<RevocationStatus>,
): Promise<CertificateReport> {
  const checked = await verifyCertificate(document, { certificateKeys: trust.certificateKeys, ledgerKeys: trust.ledgerKey });
  const detail = (id: CertificateCheck): string => {
    if (checked.failure?.check === id) return `${checked.failure.code}: ${checked.failure.message}`;
    if (id === 'anchor' && checked.checks.anchor === 'not_applicable') return 'the certificate carries no anchor (its checkpoint is not anchored on a public chain yet)';
    if (checked.checks[id] !== 'pass') return '';
    switch (id) {
      case 'certificate_signature':
        return `key ${checked.keyId}, certificate ${checked.certificate?.public_id}`;
      case 'checkpoint_signature':
        return `${checked.ledger?.origin}, tree size ${checked.ledger?.treeSize}`;
      case 'ledger_inclusion':
        return `entry ${checked.ledger?.index} hashes up its inclusion path to root ${checked.ledger?.rootHash}`;
      case 'anchor':
        return 'the anchor names the receipt\'s checkpoint (the chain itself is not queried here: veridity verify-certificate --rpc-url does)';
    }
  };
  const steps: CertificateStep[] = CERTIFICATE_STEPS.map((step) => ({
    ...step,
    status: step.id === 'not_revoked' ? 'not_run' : STATUS[checked.checks[step.id]],
    detail: step.id === 'not_revoked' ? '' : detail(step.id),
  }));
  const report: CertificateReport = { ok: checked.valid, steps, ...(checked.certificate ? { certificate: checked.certificate } : {}), ...(checked.failure ? { failure: { code: checked.failure.code, message: checked.failure.message } } : {}) };
  const revocation = steps.at(-1)!;
  if (!checked.valid || !checked.certificate) {
    revocation.detail = 'not asked: the certificate failed an offline check';
    return report;
  }
  if (!askStatus) {
    revocation.detail = 'not asked: checked offline only';
    return report;
  }
  const publicId = checked.certificate.public_id;
  try {
    report.status = await askStatus(publicId);
  } catch (error) {
    revocation.detail = `could not ask this server: ${(error as Error).message}`;
    return report;
  }
  if (report.status === 'valid') {
    Object.assign(revocation, { status: 'passed', detail: `${publicId} is valid on this platform` });
    return report;
  }
  const failure =
    report.status === 'revoked'
      ? { code: 'REVOKED', message: `certificate ${publicId} was revoked` }
      : { code: 'UNKNOWN_CERTIFICATE', message: `this platform has no certificate ${publicId} on record` };
  Object.assign(revocation, { status: 'failed', detail: `${failure.code}: ${failure.message}` });
  return { ...report, ok: false, failure };
}
