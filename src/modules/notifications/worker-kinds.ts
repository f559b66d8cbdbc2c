import type { Clock } from '#platform/clock.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { closingPoolOnStop, type RunningWorker, type WorkerKind } from '#platform/queue/worker-kind.ts';
import { runNotificationWorkerOnce, startNotificationWorker } from './run-notification-worker.ts';
import type { CertificatePdfSource, NotificationWorkerDeps } from './send-due-notifications.ts';
import { createSmtpSender, redactSmtpUrl, type SmtpSettings } from './smtp-sender.ts';

export type NotificationWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  log: Logger;
  /** Unset (no SMTP_URL): the kind starts, stays idle and sends nothing. */
  smtp: SmtpSettings | undefined;
  publicUrl: string;
  attachmentLimitBytes: number;
  concurrency: number;
  /** The certificates module's PDFs over the kind's own pool (wired by the CLI). */
  certificatePdf: (pool: Pool) => CertificatePdfSource;
};

/** What runs without SMTP_URL: nothing. */
const IDLE: RunningWorker = { stop: async () => ({ finished: true }) };

/**
 * `notifications`: sends the partners' e-mails from the notifications outbox (retries, dead
 * letters). Without SMTP_URL it is a no-op that stays idle. `context` is read only when it starts.
 */
export function notificationWorkerKinds(context: () => NotificationWorkerKindDeps): WorkerKind[] {
  const open = (deps: NotificationWorkerKindDeps, smtp: SmtpSettings) => {
    // The batch's connection, plus the PDF renders' (a first render locks the certificate row on its own connection).
    const pool = createPool(deps.databaseUrl, { max: 3, log: deps.log, applicationName: 'veridity-notifications' });
    const workerDeps: NotificationWorkerDeps = {
      pool,
      clock: deps.clock,
      log: deps.log.child({ component: 'notifications' }),
      sender: createSmtpSender(smtp, deps.clock),
      certificatePdf: deps.certificatePdf(pool),
      publicUrl: deps.publicUrl,
      attachmentLimitBytes: deps.attachmentLimitBytes,
    };
    return { pool, workerDeps };
  };
  const kind: WorkerKind = {
    name: 'notifications',
    description: 'send e-mail notifications (certificate issued, evidence rejected) over SMTP; idle without SMTP_URL',
    async start() {
      const deps = context();
      if (!deps.smtp) return IDLE;
      deps.log.info({ smtp: redactSmtpUrl(deps.smtp.url) }, 'notification e-mails go through this SMTP server');
      const { pool, workerDeps } = open(deps, deps.smtp);
      const running = closingPoolOnStop(startNotificationWorker(workerDeps, { concurrency: deps.concurrency }), pool);
      return {
        async stop(options) {
          const result = await running.stop(options);
          workerDeps.sender.close();
          return result;
        },
      };
    },
    async runOnce() {
      const deps = context();
      if (!deps.smtp) return {};
      const { pool, workerDeps } = open(deps, deps.smtp);
      try {
        return await runNotificationWorkerOnce(workerDeps, { concurrency: deps.concurrency });
      } finally {
        workerDeps.sender.close();
        await pool.end();
      }
    },
  };
  return [kind];
}
