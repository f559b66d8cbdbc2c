import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type ReceivedEmail = { from: string; to: string[]; auth: string | undefined; raw: Buffer };

export type SmtpReceiver = {
  port: number;
  received: ReceivedEmail[];
  /** The next `count` recipients are refused with this reply code (451: try later; 550: no such mailbox); then recipients are accepted again. */
  refuseNext(count: number, code?: number): void;
  close(): Promise<void>;
};

/** A real SMTP server (smtp-server) on a loopback port: no TLS, AUTH PLAIN/LOGIN accepted from any user, every message kept. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received: ReceivedEmail[] = [];
  let refusals = 0;
  let refusalCode = 451;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        return callback(Object.assign(new Error(refusalCode < 500 ? 'mailbox busy, try again later' : 'no such mailbox'), { responseCode: refusalCode }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          auth: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  const listening = server.listen(0, '127.0.0.1');
  await once(listening, 'listening');
  return {
    port: (listening.address() as AddressInfo).port,
    received,
    refuseNext(count, code = 451) {
      refusals = count;
      refusalCode = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The top-level headers of a message (unfolded, names lower-cased). */
export function mimeHeaders(raw: Buffer | string): Record<string, string> {
  const text = raw.toString();
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return Object.fromEntries(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
}

type MimePart = { headers: Record<string, string>; body: Buffer };

/** The parts of a message, multipart bodies opened (one level, as nodemailer writes text plus attachments), each decoded (base64, quoted-printable). */
export function mimeParts(raw: Buffer): MimePart[] {
  const headers = mimeHeaders(raw);
  const text = raw.toString('latin1');
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return [{ headers, body: decode(headers, body) }];
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const chunk = part.replace(/^\r\n/, '');
      const partHeaders = mimeHeaders(Buffer.from(chunk, 'latin1'));
      return { headers: partHeaders, body: decode(partHeaders, chunk.slice(chunk.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '')) };
    });
}

function decode(headers: Record<string, string>, body: string): Buffer {
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const unfolded = body.replace(/=\r\n/g, '');
    return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }
  return Buffer.from(body, 'latin1');
}
