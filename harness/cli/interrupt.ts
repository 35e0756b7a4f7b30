/**
 * Ctrl-C and SIGTERM for every command that changes or waits on an environment (`run`, `up`,
 * `down`, `status`): the first signal aborts the command's AbortSignal, so that whatever it is
 * doing (bring-up included) stops, cleans up what it made and writes what it knows, and the
 * command exits 130; a second signal exits 130 at once, leaving things behind (and says so).
 */
import { EXIT_INTERRUPTED } from '../common/errors.js';
import type { Logger } from '../common/log.js';

export interface Interrupt {
  readonly signal: AbortSignal;
  readonly interrupted: boolean;
  /** Removes the handlers (the command is done). */
  dispose(): void;
}

/** Installs the handlers; `then` says what the first signal leads to, e.g. "stopping after cleanup". */
export function handleInterrupts(log: Logger, then: string, controller = new AbortController()): Interrupt {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      log.info(`\n${signal}: ${then} (send it again to exit at once, leaving things behind)`);
      controller.abort(new Error(`interrupted by ${signal}`));
    } else {
      process.stderr.write(`${signal} again: exiting at once; \`down\` removes what was left\n`);
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get interrupted() {
      return controller.signal.aborted;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
