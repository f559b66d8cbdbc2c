import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { canonicalize } from '#platform/canonical-json.ts';
import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { recordUsage } from '#modules/metering/record-usage.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { CERTIFICATE_TYPE, type CertificateJson, parseCertificateJson } from './document/certificate-json.ts';
import { signCertificate } from './document/sign-certificate.ts';
import { CERTIFICATE_KIND, issuanceLeaf } from './certificate-ledger.ts';
import { verifyPageUrl } from './certificate-urls.ts';
import { newPublicId } from './public-id.ts';

/** How certificates, their PDFs and the PDF-signing certificate name the platform. */
export const PLATFORM_NAME = 'Veridity';

/** The platform key that signs certificate JWSs (Ed25519, published at GET /api/v1/certificates/keys). */
export const CERTIFICATE_KEY_PURPOSE = 'certificates';

export type CertificateIssuerDeps = {
  platformKeys: PlatformKeys;
  clock: Clock;
  /** How certificates name the platform; `url` is PUBLIC_URL, where /verify/{public_id} answers. */
  platform: { name: string; url: string };
  /** Queues the partner's `certificate.issued` e-mail in the issuing transaction; absent when e-mail is off (no SMTP_URL). */
  notify?: NotifyPartner;
};

/** The issuer's dependencies as the app wires them: `publicUrl` is PUBLIC_URL (config.publicUrl). */
export function certificateIssuerDeps(deps: { platformKeys: PlatformKeys; clock: Clock; publicUrl: string; notify?: NotifyPartner }): CertificateIssuerDeps {
  return { platformKeys: deps.platformKeys, clock: deps.clock, platform: { name: PLATFORM_NAME, url: deps.publicUrl }, ...(deps.notify ? { notify: deps.notify } : {}) };
}

export type CertificateIssueInput = {
  /** api_clients id of the partner. */
  partnerId: string;
  /** `evd_...`: one certificate per evidence. */
  evidenceId: string;
  document: { sha256: string; mediaType: string; schema: string | null };
  report: null | {
    device: { type: string; manufacturer: string; model: string; serial: string; capacity: string | number };
    method: 'clear' | 'purge' | 'destroy';
    result: string;
    startedAt: string;
    endedAt: string;
  };
  signer: { subject: string; issuer: string; serialNumber: string; sha256Fingerprint: string };
  timestamp: { time: string; tsa: string } | null;
};

export type IssuedCertificate = { certificateId: string; publicId: string; status: 'CERTIFIED_NO_ANCHOR' };

function certificateBody(input: CertificateIssueInput, context: { publicId: string; issuedAt: Date; platform: CertificateIssuerDeps['platform']; displayName: string }): CertificateJson {
  const { report } = input;
  return {
    type: CERTIFICATE_TYPE,
    public_id: context.publicId,
    issued_at: context.issuedAt.toISOString(),
    platform: { name: context.platform.name, url: context.platform.url },
    subject: { display_name: context.displayName },
    document: { sha256: input.document.sha256, media_type: input.document.mediaType, schema: input.document.schema },
    report: report && {
      device: { ...report.device },
      method: report.method,
      result: report.result,
      started_at: report.startedAt,
      ended_at: report.endedAt,
    },
    signer: { subject: input.signer.subject, issuer: input.signer.issuer, serial_number: input.signer.serialNumber, sha256_fingerprint: input.signer.sha256Fingerprint },
    timestamp: input.timestamp && { time: input.timestamp.time, tsa: input.timestamp.tsa },
    ledger: { kind: CERTIFICATE_KIND, public_id: context.publicId },
  };
}

/**
 * Issues the certificate of a verified evidence document on the caller's transaction: the row, the
 * signed JWS, a ledger entry (kind `certificate`, named by the public id), a `certificate.issued`
 * webhook (and e-mail, when `notify` is wired) and a usage row, all committing (or not) with the evidence outcome. Issuing again for the
 * same evidence answers the certificate already issued and writes nothing. The PDF comes later,
 * once the ledger entry has a receipt (see get-certificate-pdf.ts).
 *
 * Throws when the input cannot make a valid certificate (an unknown partner, a field the
 * certificate schema refuses): the caller validated the evidence, so that is a bug, and the
 * transaction must not commit an evidence outcome without its certificate.
 */
export async function issueCertificate(tx: PoolClient, deps: CertificateIssuerDeps, input: CertificateIssueInput): Promise<IssuedCertificate> {
  const displayName = await findClientName(tx, input.partnerId);
  if (displayName === undefined) throw new Error(`issueCertificate: no partner ${input.partnerId}`);
  const certificateId = newId('crt');
  const publicId = newPublicId();
  const issuedAt = new Date(deps.clock.now().getTime());
  const body = parseCertificateJson(certificateBody(input, { publicId, issuedAt, platform: deps.platform, displayName }));
  if (!body.ok) throw new Error(`issueCertificate for ${input.evidenceId}: ${body.message}`);
  const key = await deps.platformKeys.activeKey(CERTIFICATE_KEY_PURPOSE);
  const jws = signCertificate(body.body, { id: key.id, privateKey: key.privateKey });

  const inserted = await tx.query(
    `INSERT INTO certificates (id, public_id, client_id, evidence_id, document_sha256, body, jws, key_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (evidence_id) DO NOTHING`,
    [certificateId, publicId, input.partnerId, input.evidenceId, input.document.sha256, canonicalize(body.body), jws, key.id, issuedAt],
  );
  if (inserted.rowCount === 0) return existingCertificate(tx, input);

  await appendLedgerEntry(tx, issuanceLeaf({ publicId, documentSha256: input.document.sha256, createdAt: issuedAt }));
  await recordUsage(tx, { clientId: input.partnerId, kind: 'certificate.issue', claimType: null, outcome: 'issued', subjectId: certificateId, at: issuedAt });
  const announced = {
    certificate_id: certificateId,
    public_id: publicId,
    evidence_id: input.evidenceId,
    status: 'CERTIFIED_NO_ANCHOR',
    document_sha256: input.document.sha256,
    verify_url: verifyPageUrl(deps.platform.url, publicId),
    ts: issuedAt.toISOString(),
  };
  await enqueueWebhookEvent(tx, { clientId: input.partnerId, type: 'certificate.issued', subjectId: certificateId, payload: { event: 'certificate.issued', ...announced } });
  await deps.notify?.(tx, { clientId: input.partnerId, type: 'certificate.issued', subjectId: certificateId, payload: announced });
  return { certificateId, publicId, status: 'CERTIFIED_NO_ANCHOR' };
}

/** The certificate an earlier transaction issued for this evidence (it can only be this partner's). */
async function existingCertificate(tx: PoolClient, input: CertificateIssueInput): Promise<IssuedCertificate> {
  const { rows } = await tx.query<{ id: string; public_id: string; client_id: string }>('SELECT id, public_id, client_id FROM certificates WHERE evidence_id = $1', [input.evidenceId]);
  const row = rows[0];
  if (!row || row.client_id !== input.partnerId) throw new Error(`issueCertificate: evidence ${input.evidenceId} is certified for another partner`);
  return { certificateId: row.id, publicId: row.public_id, status: 'CERTIFIED_NO_ANCHOR' };
}
