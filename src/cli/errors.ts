// Errors the CLI raises for its user: they print as one `error: ...` line (plus an
// optional hint) and an exit code, never as a stack trace. Anything else that reaches
// main() is a bug and is reported as such.

/** A mistake or refusal the user can fix; `exitCode` 1 for failures, 2 for bad usage. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Bad usage that commander cannot see (e.g. an option value that does not parse). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
  }
}
