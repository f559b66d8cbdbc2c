import nodemailer from 'nodemailer';
import type { Clock } from '#platform/clock.ts';

/** SMTP_URL (may hold credentials: never logged, see redactSmtpUrl), SMTP_FROM and SMTP_TIMEOUT_MS. */
export type SmtpSettings = { url: string; from: string; timeoutMs: number };

export type OutgoingEmail = {
  /** The notification id: the Message-ID, the same on every attempt (receivers can deduplicate). */
  id: string;
  to: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
};

export type SmtpSendResult = {
  outcome: 'sent' | 'failed';
  /** The server's reply code: of the failure, or 250 for an accepted message. */
  smtpCode: number | null;
  latencyMs: number;
  /** `permanent`: the server refused the message or recipient with a 5xx (not an authentication failure): retrying cannot help. */
  error?: { code: string; message: string; permanent: boolean };
};

export type SmtpSender = { send(email: OutgoingEmail): Promise<SmtpSendResult>; close(): void };

/** Error messages are stored and shown; this many characters are kept. */
const ERROR_MESSAGE_LIMIT = 1000;

/** SMTP_URL as it may be logged or shown: the password (and a user name) replaced. */
export function redactSmtpUrl(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed) return '[unparsable SMTP_URL]';
  if (parsed.username) parsed.username = 'redacted';
  if (parsed.password) parsed.password = 'redacted';
  return parsed.toString();
}

/** Any text that might quote the URL or its password (an error message) with them taken out. */
function withoutCredentials(text: string, url: string): string {
  const parsed = URL.parse(url);
  let clean = text.replaceAll(url, redactSmtpUrl(url));
  for (const secret of [parsed?.password, parsed?.password && decodeURIComponent(parsed.password)]) {
    if (secret) clean = clean.replaceAll(secret, '[redacted]');
  }
  return clean;
}

/**
 * One nodemailer SMTP transport (a connection per message, no pool) bounded by the timeout for
 * connecting, the greeting and an idle socket; nodemailer's own logging stays off.
 */
export function createSmtpSender(settings: SmtpSettings, clock: Clock): SmtpSender {
  const transport = nodemailer.createTransport({
    url: settings.url,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    dnsTimeout: settings.timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    async send(email) {
      const started = clock.now().getTime();
      const latency = () => Math.max(0, clock.now().getTime() - started);
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          messageId: `<${email.id}@veridity>`,
          attachments: email.attachments,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        const code = Number(/^\d{3}/.exec(String(info.response ?? ''))?.[0]);
        return { outcome: 'sent', smtpCode: Number.isInteger(code) ? code : null, latencyMs: latency() };
      } catch (error) {
        const err = error as { code?: unknown; responseCode?: unknown; message?: unknown };
        const smtpCode = typeof err.responseCode === 'number' ? err.responseCode : null;
        const code = typeof err.code === 'string' ? err.code : 'SEND_FAILED';
        const message = withoutCredentials(String(err.message ?? error), settings.url).replaceAll('\u0000', '').slice(0, ERROR_MESSAGE_LIMIT);
        return { outcome: 'failed', smtpCode, latencyMs: latency(), error: { code, message, permanent: smtpCode !== null && smtpCode >= 500 && code !== 'EAUTH' } };
      }
    },
    close() {
      transport.close();
    },
  };
}
