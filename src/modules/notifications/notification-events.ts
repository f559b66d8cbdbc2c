import type { PoolClient } from '#platform/db/pool.ts';

/** The events partners can be e-mailed about (a closed list; `events` in the settings picks among them). */
export const NOTIFICATION_EVENTS = ['certificate.issued', 'evidence.rejected'] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];

/** `certificate.issued`: what the e-mail says; the PDF is fetched when the e-mail is sent (it exists once the ledger has a receipt). */
export type CertificateIssuedNotice = {
  certificate_id: string;
  public_id: string;
  evidence_id: string;
  status: string;
  document_sha256: string;
  verify_url: string;
  ts: string;
};

/** `evidence.rejected`: the rejection code, what it means and what to fix, as the evidence module words them. */
export type EvidenceRejectedNotice = {
  evidence_id: string;
  sha256: string;
  error_code: string;
  explanation: string;
  fix: string;
  error_message: string;
  error_path: string | null;
  ts: string;
};

export type NotificationEvent =
  | { type: 'certificate.issued'; clientId: string; subjectId: string; payload: CertificateIssuedNotice }
  | { type: 'evidence.rejected'; clientId: string; subjectId: string; payload: EvidenceRejectedNotice };

/**
 * Queues an e-mail on the caller's transaction (the producer's outcome commits with it). Wired in
 * only when SMTP_URL is set: without it producers get no notifier and nothing is queued.
 */
export type NotifyPartner = (tx: PoolClient, event: NotificationEvent) => Promise<string | undefined>;
