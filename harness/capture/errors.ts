/**
 * Typed errors of the capture reader. Callers (the CLI, verdicts) catch `CaptureError` and show its
 * one-line message; anything else escaping the reader is a bug.
 */
export class CaptureError extends Error {
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = new.target.name;
    this.file = file;
  }
}

/** The file could not be opened or read (missing, a directory, no permission, I/O error). */
export class CaptureFileError extends CaptureError {
  readonly code: string | undefined;

  constructor(file: string, reason: string, code?: string) {
    super(file, reason);
    this.code = code;
  }
}

/** The file does not start like a pcap or pcapng capture. */
export class NotACaptureError extends CaptureError {}

/**
 * The file starts like a capture but a record in the middle is malformed (bad block length, unknown
 * interface, ...). A file that merely ends inside a record is not corrupt: it is read as truncated.
 */
export class CorruptCaptureError extends CaptureError {
  readonly offset: number;

  constructor(file: string, offset: number, reason: string) {
    super(file, `corrupt capture at byte ${offset}: ${reason}`);
    this.offset = offset;
  }
}

/** Turns an fs error into a one-line CaptureFileError (no stack, no errno noise). */
export function fileErrorFrom(file: string, err: unknown): CaptureFileError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new CaptureFileError(file, 'no such file', code);
    case 'EACCES':
    case 'EPERM':
      return new CaptureFileError(file, 'permission denied', code);
    case 'EISDIR':
      return new CaptureFileError(file, 'is a directory, not a capture file', code);
    default:
      return new CaptureFileError(
        file,
        `cannot read: ${(err as Error | undefined)?.message ?? String(err)}`,
        code,
      );
  }
}
