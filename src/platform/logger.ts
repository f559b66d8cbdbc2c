import pino from 'pino';
import type { DestinationStream, LogFn, LoggerOptions } from 'pino';
import { safeErrorMessage, serializeError } from './serialize-error.ts';
import { activeTracing } from './telemetry/tracing.ts';

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
  'privateKey',
  'private_key',
  '*.api_key',
  '*.webhook_secret',
  '*.admin_token',
  '*.client_secret',
  '*.access_token',
  '*.proof',
  '*.public_signals',
  '*.privateKey',
  '*.private_key',
];

/**
 * An error logged without a message would lend pino its raw message as `msg` (drizzle's lists the
 * query's parameters): it lends the safe one instead.
 */
function logMethod(this: pino.Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first] = args;
  const error = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
  if (args.length === 1 && typeof error === 'object' && error !== null) {
    method.call(this, first, safeErrorMessage(error) ?? '');
    return;
  }
  method.apply(this, args);
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // pino's default would log every own field of an error: a failed query's parameters included.
    serializers: { err: serializeError },
    hooks: { logMethod },
    base: { service: 'veridity' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // With telemetry on, a line written inside a span names it, so logs and traces meet.
    ...(activeTracing() ? { mixin: () => activeTracing()?.logFields() ?? {} } : {}),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination);
}
