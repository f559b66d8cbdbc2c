import pino from 'pino';
import type { DestinationStream, LoggerOptions } from 'pino';

export type Logger = pino.Logger;

/** Everything that can carry a credential or private evidence is censored before it is written. */
export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
  'headers.authorization',
  'api_key',
  'webhook_secret',
  'admin_token',
  'client_secret',
  'access_token',
  'proof',
  'public_signals',
  '*.api_key',
  '*.webhook_secret',
  '*.admin_token',
  '*.client_secret',
  '*.access_token',
  '*.proof',
  '*.public_signals',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'veridity' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination);
}
