import { CliError } from './cli-error.ts';
import { describeParseError } from './parse-options.ts';

export type FailureReport = { message: string; exitCode: number };

/** Where in our code an error was thrown: the first stack frame that is not Node's own. */
function origin(error: Error): string | undefined {
  const frame = error.stack?.split('\n').slice(1).find((line) => !/\(node:|at node:/.test(line));
  return frame?.trim().replace(/^at /, '');
}

/**
 * What a failed command prints: a usage error as its one line (exit 2); anything else as one short
 * line (exit 1): type, message, where it was thrown. `verbose` (LOG_LEVEL=debug or trace) adds the stack.
 */
export function reportFailure(error: unknown, verbose: boolean): FailureReport {
  if (error instanceof CliError) return { message: `veridity: ${error.message}`, exitCode: error.exitCode };
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
    return { message: `veridity: ${describeParseError(error)} (see 'veridity --help')`, exitCode: 2 };
  }
  if (!(error instanceof Error)) return { message: `veridity: failed: ${String(error)}`, exitCode: 1 };
  const where = origin(error);
  const detail = verbose ? `\n${error.stack}` : `${where ? ` (at ${where})` : ''}; LOG_LEVEL=debug shows the stack`;
  return { message: `veridity: failed: ${error.name === 'Error' ? '' : `${error.name}: `}${error.message.split('\n').slice(0, 6).join('\n')}${detail}`, exitCode: 1 };
}
