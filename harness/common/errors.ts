/**
 * Exit codes and the error every layer may throw for input the user can fix. The CLI turns it
 * into one line and exit 2 (cli/errors.ts); providers and the spec loader throw it without
 * knowing about the CLI.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad flags, options files or specs: the user can fix it. Exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Extra lines (e.g. one per spec problem), printed after the message. */
    readonly lines: string[] = [],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
