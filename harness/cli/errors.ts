/**
 * How the CLI reports an error: 2 for usage and input errors (UsageError), 1 for failed checks.
 * Anything else is a bug or an environment failure: one line too, and the stack only with --debug.
 */
import { EXIT_FAILED, EXIT_USAGE, UsageError } from '../common/errors.js';
import { escapeUntrusted } from '../common/escape.js';

export function reportError(error: unknown, debug: boolean, hasDebug = true): number {
  const stderr = process.stderr;
  if (error instanceof UsageError) {
    // Each line carries values the user wrote (file names, fields): a newline there must not forge
    // a `FILE:LINE:` line, nor an escape sequence or a bidi override reach the terminal (the one rule).
    for (const line of error.lines) stderr.write(`${escapeUntrusted(line)}\n`);
    if (error.message) stderr.write(`egress-conformance: ${escapeUntrusted(error.message)}\n`);
    return EXIT_USAGE;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  stderr.write(`egress-conformance: ${escapeUntrusted(err.message.split('\n')[0] ?? '')}\n`);
  if (debug && err.stack) stderr.write(`${err.stack}\n`);
  else if (hasDebug) stderr.write('(run with --debug for details)\n');
  return EXIT_FAILED;
}
