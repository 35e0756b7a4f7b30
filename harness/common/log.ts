/** Progress output. One interface so the CLI decides where lines go and tests can read them. */

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  /** Only shown with --debug. */
  debug(line: string): void;
}

export function consoleLogger(debug: boolean, out: NodeJS.WritableStream = process.stdout): Logger {
  return {
    info: (line) => out.write(`${line}\n`),
    warn: (line) => process.stderr.write(`warning: ${line}\n`),
    debug: (line) => {
      if (debug) out.write(`debug: ${line}\n`);
    },
  };
}

export function silentLogger(lines: string[] = []): Logger {
  return {
    info: (line) => lines.push(line),
    warn: (line) => lines.push(`warning: ${line}`),
    debug: (line) => lines.push(`debug: ${line}`),
  };
}
