/** A user-facing command-line failure: printed without a stack trace, exit code 1 (2 for usage). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
