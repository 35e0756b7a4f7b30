/**
 * Errors the CLI turns into one line and an exit code: 2 for usage and input errors, 1 for
 * failed checks. Anything else is a bug or an environment failure: one line too, and the stack
 * only with --debug.
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

export function reportError(error: unknown, debug: boolean): number {
  const stderr = process.stderr;
  if (error instanceof UsageError) {
    for (const line of error.lines) stderr.write(`${line}\n`);
    if (error.message) stderr.write(`egress-conformance: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  stderr.write(`egress-conformance: ${err.message.split('\n')[0]}\n`);
  if (debug && err.stack) stderr.write(`${err.stack}\n`);
  else stderr.write('(run with --debug for details)\n');
  return EXIT_FAILED;
}
