/**
 * Opening and reading a file the user named (a capture, a spec, an options file) without being led
 * astray by what the path really is: a FIFO would block the open forever, /dev/zero never ends, a
 * directory reads as an error deep inside. Only regular files are read, whole-file reads are
 * bounded, and every refusal is one line naming the file (exit 2 through UsageError).
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { UsageError } from './errors.js';
import { escapeControl } from './escape.js';

/** The user named a file that cannot be used as input. `reason` is what is wrong with it. */
export class InputFileError extends UsageError {
  constructor(
    /** The path as given (raw; the message has it escaped). */
    readonly file: string,
    readonly reason: string,
    /** The errno code when the system refused (ENOENT, EACCES, ...). */
    readonly code?: string,
    /** Put before the file name in the message, e.g. `--options-file`. */
    label?: string,
  ) {
    super(`${label ? `${label} ` : ''}${escapeControl(file)}: ${reason}`);
    this.name = 'InputFileError';
  }
}

export interface InputFileOptions {
  /** Refuse files larger than this many bytes (whole-file reads need a bound; streams do not). */
  maxBytes?: number;
  /** Names the file's role in messages, e.g. `--options-file`. */
  label?: string;
}

export interface OpenInputFile {
  handle: FileHandle;
  /** Size when opened (a regular file may still grow). */
  size: number;
}

/**
 * O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; it changes nothing
 * for the regular files that are then accepted. O_NOCTTY keeps a terminal device from becoming the
 * controlling terminal before it is refused.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file (a part of the path is not a directory)',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENXIO: 'is a socket or a device, not a regular file',
  ENAMETOOLONG: 'file name too long',
  EISDIR: 'is a directory, not a regular file',
};

/** One line for an fs error, never "undefined": the errno's meaning, else its code or first line. */
export function describeFileError(err: unknown): { reason: string; code: string | undefined } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = code === undefined ? undefined : REASONS[code];
  if (known !== undefined) return { reason: known, code };
  const message = err instanceof Error ? err.message.split('\n')[0] : undefined;
  return { reason: `cannot read (${message || code || String(err)})`, code };
}

function kindOf(stat: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens `file` if it is a regular file (within `maxBytes`), else throws InputFileError. The check is
 * made on the opened descriptor, so the path cannot be swapped between check and read.
 */
export async function openInputFile(file: string, options: InputFileOptions = {}): Promise<OpenInputFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    const { reason, code } = describeFileError(err);
    throw new InputFileError(file, reason, code, options.label);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      const kind = kindOf(stat);
      throw new InputFileError(
        file,
        kind === 'not a regular file' ? kind : `is ${kind}, not a regular file`,
        undefined,
        options.label,
      );
    }
    if (options.maxBytes !== undefined && stat.size > options.maxBytes) {
      throw new InputFileError(file, tooLarge(stat.size, options.maxBytes), undefined, options.label);
    }
    return { handle, size: stat.size };
  } catch (err) {
    await handle.close();
    if (err instanceof InputFileError) throw err;
    const { reason, code } = describeFileError(err);
    throw new InputFileError(file, reason, code, options.label);
  }
}

function tooLarge(size: number | string, maxBytes: number): string {
  return `is ${size} bytes, over the limit of ${maxBytes} bytes for this file`;
}

/**
 * Reads a whole regular file of at most `maxBytes`. The bound holds even where the size on disk
 * says nothing (a file still growing, /proc files that report 0 bytes).
 */
export async function readInputFile(
  file: string,
  options: InputFileOptions & { maxBytes: number },
): Promise<Buffer> {
  const { handle } = await openInputFile(file, options);
  try {
    const buffer = Buffer.alloc(Math.min(options.maxBytes + 1, 1 << 16));
    let data = buffer;
    let length = 0;
    for (;;) {
      if (length === data.length) {
        if (length > options.maxBytes) {
          throw new InputFileError(
            file,
            tooLarge(`more than ${options.maxBytes}`, options.maxBytes),
            undefined,
            options.label,
          );
        }
        const bigger = Buffer.alloc(Math.min(options.maxBytes + 1, data.length * 2));
        data.copy(bigger, 0, 0, length);
        data = bigger;
      }
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(data, length, data.length - length, length));
      } catch (err) {
        const { reason, code } = describeFileError(err);
        throw new InputFileError(file, reason, code, options.label);
      }
      if (bytesRead === 0) return data.subarray(0, length);
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** `readInputFile` as UTF-8 text. */
export async function readInputText(
  file: string,
  options: InputFileOptions & { maxBytes: number },
): Promise<string> {
  return (await readInputFile(file, options)).toString('utf8');
}
