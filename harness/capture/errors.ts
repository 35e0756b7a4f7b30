/**
 * Typed errors of the capture reader. Callers (the CLI, verdicts) catch `CaptureError` and show its
 * one-line message; anything else escaping the reader is a bug.
 */
import { escapeControl } from '../common/escape.js';
import { describeFileError } from '../common/input-file.js';

export class CaptureError extends Error {
  /** The path as given; the message shows it with control characters escaped. */
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`${escapeControl(file)}: ${reason}`);
    this.name = new.target.name;
    this.file = file;
  }
}

/**
 * The path cannot be used as a capture: missing, no permission, or not a regular file (a FIFO, a
 * device, a directory). The user named the wrong thing: a usage error.
 */
export class CaptureFileError extends CaptureError {
  readonly code: string | undefined;

  constructor(file: string, reason: string, code?: string) {
    super(file, reason);
    this.code = code;
  }
}

/** Reading an opened capture failed (an I/O error): the environment, not the user's input. */
export class CaptureReadError extends CaptureError {
  readonly code: string | undefined;

  constructor(file: string, err: unknown) {
    const { reason, code } = describeFileError(err);
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
