/** A user-facing command-line failure: printed as is, without a stack trace; exit code 2 (usage) unless given. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `veridity admin create-client` from the first line of a help text (`Usage: veridity admin create-client ...`). */
export function commandOf(usage: string): string {
  return /^Usage: (veridity(?: [a-z][a-z-]*)*)/.exec(usage)?.[1] ?? 'veridity';
}

/** A usage error as one line: the problem, then where the options are described. */
export function usageError(problem: string, usage: string): CliError {
  return new CliError(`${problem} (see '${commandOf(usage)} --help')`);
}
