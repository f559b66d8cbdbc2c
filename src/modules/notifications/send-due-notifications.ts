import type { Clock } from '#platform/clock.ts';
import { claimDueOutboxSql, hasDueOutboxRows } from '#platform/db/outbox.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { Logger } from '#platform/logger.ts';
import { findDisabledClientIds } from '#modules/clients/find-disabled-client-ids.ts';
import { composeNotificationEmail, type PdfPart } from './compose-notification-email.ts';
import { decideNotificationState, type NotificationState } from './decide-notification-state.ts';
import type { CertificateIssuedNotice, NotificationEventType } from './notification-events.ts';
import type { SmtpSender, SmtpSendResult } from './smtp-sender.ts';

/** The certificates module's PDF of a partner's certificate, wired in by the CLI (`pending` until the ledger has its receipt). */
export type CertificatePdfSource = (clientId: string, certificateId: string) => Promise<{ state: 'ready'; pdf: Buffer } | { state: 'pending' } | { state: 'missing' }>;

export type NotificationWorkerDeps = {
  pool: Pool;
  clock: Clock;
  log: Logger;
  sender: SmtpSender;
  certificatePdf: CertificatePdfSource;
  /** PUBLIC_URL: links in the e-mails. */
  publicUrl: string;
  /** NOTIFICATION_ATTACHMENT_MAX_BYTES: a bigger PDF is linked, not attached. */
  attachmentLimitBytes: number;
  /** How long a certificate e-mail waits for its PDF (the next ledger checkpoint) before it goes with a link instead. Default 10 min. */
  pdfWaitMs?: number;
  random?: () => number;
};

export type NotificationBatchReport = { claimed: number; sent: number; retrying: number; dead: number; waiting: number };

export const EMPTY_NOTIFICATION_REPORT: NotificationBatchReport = { claimed: 0, sent: 0, retrying: 0, dead: 0, waiting: 0 };

const DEFAULT_PDF_WAIT_MS = 10 * 60_000;
/** A certificate e-mail waiting for its PDF looks again this much later (checkpoints are seconds apart). */
const PDF_RECHECK_MS = 5_000;

type ClaimedRow = {
  id: string;
  client_id: string;
  event_type: NotificationEventType;
  payload: Record<string, unknown>;
  attempt: number;
  attempts_total: number;
  created_at: Date;
  /** Null when the partner removed its notification address since. */
  email: string | null;
};

type Attempt = { id: string; attempt: number; attemptedAt: Date; recipient: string; pdf: PdfPart['kind'] | null; result: SmtpSendResult };

type RowOutcome =
  | { kind: 'attempted'; row: ClaimedRow; attempt: Attempt; state: NotificationState; finishedAt: Date }
  | { kind: 'not-sent'; row: ClaimedRow; reason: 'CLIENT_DISABLED' | 'NO_ADDRESS'; message: string; finishedAt: Date }
  | { kind: 'waiting'; row: ClaimedRow; until: Date };

const CLAIM_SQL = claimDueOutboxSql({
  table: 'notifications_outbox',
  columns: 'o.id, o.client_id, o.event_type, o.payload, o.attempt, o.attempts_total, o.created_at, s.email',
  join: 'LEFT JOIN notification_settings s ON s.client_id = o.client_id',
});

const INSERT_ATTEMPT_SQL = `
  INSERT INTO notification_attempts (id, notification_id, attempt, attempted_at, recipient, outcome, smtp_code, pdf, latency_ms, error_code, error_message)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

const UPDATE_SQL = `
  UPDATE notifications_outbox
     SET status = $2, attempt = $3, attempts_total = $4, next_attempt_at = coalesce($5, next_attempt_at),
         sent_at = coalesce($6, sent_at), dead_at = $7, last_attempt_at = coalesce($8, last_attempt_at), last_error = $9
   WHERE id = $1`;

const ERROR_TEXT_LIMIT = 1000;

/** Whether any e-mail is due: a cheap probe, so idle workers open no transaction. */
export async function hasDueNotifications(deps: Pick<NotificationWorkerDeps, 'pool' | 'clock'>): Promise<boolean> {
  return hasDueOutboxRows(deps.pool, 'notifications_outbox', deps.clock.now());
}

/**
 * Claims up to `limit` due e-mails, sends them concurrently and records every attempt and each
 * e-mail's next state in the transaction that holds their locks. Throws only when the database
 * fails (the batch rolls back and is due again).
 */
export async function sendDueNotifications(deps: NotificationWorkerDeps, options: { limit: number }): Promise<NotificationBatchReport> {
  const outcomes = await inTransaction(deps.pool, async (client) => {
    const { rows } = await client.query<ClaimedRow>(CLAIM_SQL, [deps.clock.now(), options.limit]);
    const disabled = rows.length > 0 ? await findDisabledClientIds(client, [...new Set(rows.map((row) => row.client_id))]) : new Set<string>();
    const attempted = await Promise.all(rows.map((row) => attemptRow(deps, row, disabled.has(row.client_id))));
    for (const outcome of attempted) await record(client, outcome);
    return attempted;
  });
  for (const outcome of outcomes) observe(deps.log, outcome);
  return report(outcomes);
}

/** A certificate e-mail's PDF: attached when it is ready and small enough, else linked; undefined: wait for it. */
async function pdfPart(deps: NotificationWorkerDeps, row: ClaimedRow): Promise<PdfPart | undefined> {
  const notice = row.payload as CertificateIssuedNotice;
  let pdf: Awaited<ReturnType<CertificatePdfSource>>;
  try {
    pdf = await deps.certificatePdf(row.client_id, notice.certificate_id);
  } catch (error) {
    deps.log.error({ err: error, notification_id: row.id }, 'cannot read the certificate PDF for an e-mail');
    pdf = { state: 'pending' };
  }
  if (pdf.state === 'ready') return pdf.pdf.length <= deps.attachmentLimitBytes ? { kind: 'attached', pdf: pdf.pdf } : { kind: 'linked', reason: 'too_large' };
  const waited = deps.clock.now().getTime() - row.created_at.getTime();
  return pdf.state === 'pending' && waited < (deps.pdfWaitMs ?? DEFAULT_PDF_WAIT_MS) ? undefined : { kind: 'linked', reason: 'not_ready' };
}

async function attemptRow(deps: NotificationWorkerDeps, row: ClaimedRow, clientDisabled: boolean): Promise<RowOutcome> {
  if (clientDisabled) return { kind: 'not-sent', row, reason: 'CLIENT_DISABLED', message: 'the partner is disabled', finishedAt: deps.clock.now() };
  if (!row.email) return { kind: 'not-sent', row, reason: 'NO_ADDRESS', message: 'the partner has no notification address', finishedAt: deps.clock.now() };
  let pdf: PdfPart | undefined;
  if (row.event_type === 'certificate.issued') {
    pdf = await pdfPart(deps, row);
    if (!pdf) return { kind: 'waiting', row, until: new Date(deps.clock.now().getTime() + PDF_RECHECK_MS) };
  }
  const email = composeNotificationEmail({ eventType: row.event_type, payload: row.payload, publicUrl: deps.publicUrl, attachmentLimitBytes: deps.attachmentLimitBytes, ...(pdf ? { pdf } : {}) });
  const attemptedAt = deps.clock.now();
  const result = await deps.sender.send({ id: row.id, to: row.email, ...email });
  const finishedAt = deps.clock.now();
  const attempt: Attempt = { id: newId('nta'), attempt: row.attempts_total + 1, attemptedAt, recipient: row.email, pdf: pdf?.kind ?? null, result };
  const state = decideNotificationState({ attemptInRound: row.attempt + 1, result, now: finishedAt, ...(deps.random ? { random: deps.random } : {}) });
  return { kind: 'attempted', row, attempt, state, finishedAt };
}

async function record(client: PoolClient, outcome: RowOutcome): Promise<void> {
  const { row } = outcome;
  if (outcome.kind === 'waiting') {
    await client.query('UPDATE notifications_outbox SET next_attempt_at = $2 WHERE id = $1', [row.id, outcome.until]);
    return;
  }
  if (outcome.kind === 'not-sent') {
    await client.query(UPDATE_SQL, [row.id, 'dead', row.attempt, row.attempts_total, null, null, outcome.finishedAt, null, `${outcome.reason}: ${outcome.message}`]);
    return;
  }
  const { attempt, state, finishedAt } = outcome;
  const error = attempt.result.error;
  await client.query(INSERT_ATTEMPT_SQL, [
    attempt.id, row.id, attempt.attempt, attempt.attemptedAt, attempt.recipient, attempt.result.outcome, attempt.result.smtpCode, attempt.pdf,
    attempt.result.latencyMs, error?.code ?? null, error?.message ?? null,
  ]);
  await client.query(UPDATE_SQL, [
    row.id,
    state.status,
    row.attempt + 1,
    attempt.attempt,
    state.status === 'pending' ? state.nextAttemptAt : null,
    state.status === 'sent' ? finishedAt : null,
    state.status === 'dead' ? finishedAt : null,
    attempt.attemptedAt,
    error ? `${error.code}: ${error.message}`.slice(0, ERROR_TEXT_LIMIT) : null,
  ]);
}

function report(outcomes: RowOutcome[]): NotificationBatchReport {
  const counts = { ...EMPTY_NOTIFICATION_REPORT, claimed: outcomes.length };
  for (const o of outcomes) {
    if (o.kind === 'waiting') counts.waiting += 1;
    else if (o.kind === 'not-sent') counts.dead += 1;
    else if (o.state.status === 'sent') counts.sent += 1;
    else if (o.state.status === 'pending') counts.retrying += 1;
    else counts.dead += 1;
  }
  return counts;
}

/** Ids, event and SMTP codes only: never the address's credentials, the SMTP URL or the e-mail's content. */
function observe(log: Logger, o: RowOutcome): void {
  const fields = { notification_id: o.row.id, client_id: o.row.client_id, event_type: o.row.event_type };
  if (o.kind === 'waiting') return;
  if (o.kind === 'not-sent') {
    log.info({ ...fields, reason: o.reason }, 'notification dead-lettered without an attempt');
    return;
  }
  if (o.state.status === 'sent') return;
  const attemptFields = { ...fields, attempt: o.attempt.attempt, smtp_code: o.attempt.result.smtpCode, error_code: o.attempt.result.error?.code };
  if (o.state.status === 'dead') log.warn({ ...attemptFields, reason: o.state.reason }, 'notification e-mail is dead after its last attempt');
  else log.info({ ...attemptFields, next_attempt_at: o.state.nextAttemptAt }, 'notification e-mail attempt failed; will retry');
}
