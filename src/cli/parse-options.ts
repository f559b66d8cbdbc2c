import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, usageError } from './cli-error.ts';

/** node:util's parse errors, reworded as one line naming the option. */
export function describeParseError(error: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option && /argument missing/.test(error.message) ? `${option} needs a value` : error.message;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}`.trim();
    default:
      return error.message;
  }
}

/** node:util parseArgs, with a mistyped option reported as a usage error (exit 2, one line, no stack trace). */
export function parseOptions<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError(describeParseError(error as Error), usage);
  }
}

/** An http(s) URL option (the platform's address). */
export function parseUrlOption(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${option}: not a URL: ${value} (expected e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${option}: expected an http(s) URL, got ${value}`);
  return url;
}
