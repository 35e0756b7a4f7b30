/**
 * A reader that goes away (`run --dry-run | head -1`) is not a failure of the run: once stdout or
 * stderr reports EPIPE, later writes to it are dropped and the command goes on to its end, so a
 * run still cleans up what it created and exits with its own code. Without a listener, Node
 * raises the stream's 'error' as an uncaught exception: a stack trace and exit 1.
 */
type Write = typeof process.stdout.write;

export function tolerateClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    const marked = stream as NodeJS.WriteStream & { __ecClosedTolerant?: boolean };
    if (marked.__ecClosedTolerant) continue;
    marked.__ecClosedTolerant = true;
    let closed = false;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
    });
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((...args: unknown[]) => {
      if (!closed) return original(...args);
      // Still call a completion callback: a caller may wait for it.
      const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  }
}
