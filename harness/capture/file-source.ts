import type { FileHandle } from 'node:fs/promises';
import { InputFileError, openInputFile } from '../common/input-file.js';
import { CaptureFileError, CaptureReadError } from './errors.js';

/** Default read size: large enough that the per-read cost vanishes, small enough to stay in cache. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * A sliding window over a file, read in chunks into one reusable buffer. `bytes[start, end)` holds
 * the unconsumed bytes; a record that straddles two reads is kept by moving the unconsumed tail to
 * the front before the next read, and the buffer only grows when a single record is larger than it.
 * Memory therefore stays bounded by the chunk size and the largest record, whatever the file size.
 */
export class FileSource {
  readonly file: string;
  bytes: Uint8Array;
  start = 0;
  end = 0;
  /** File offset of `bytes[end]`, i.e. where the next read continues. */
  private readPosition = 0;
  private size: number;
  private eof = false;
  private readonly handle: FileHandle;

  private constructor(file: string, handle: FileHandle, size: number, chunkSize: number) {
    this.file = file;
    this.handle = handle;
    this.size = size;
    this.bytes = new Uint8Array(Math.max(1, chunkSize));
  }

  /**
   * Opens a regular file; anything else (missing, a FIFO, a device, a directory) is refused at once
   * with CaptureFileError, before a byte is read. No size limit: the reader streams.
   */
  static async open(file: string, chunkSize = DEFAULT_CHUNK_SIZE): Promise<FileSource> {
    try {
      const { handle, size } = await openInputFile(file);
      return new FileSource(file, handle, size, chunkSize);
    } catch (err) {
      if (err instanceof InputFileError) throw new CaptureFileError(file, err.reason, err.code);
      throw err;
    }
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.end - this.start;
  }

  /** File offset of `bytes[start]`. */
  get offset(): number {
    return this.readPosition - (this.end - this.start);
  }

  /**
   * Bytes from `offset` to the end of the file. The size is taken again when the cached one says a
   * record does not fit, so a file still being written is not declared truncated too early.
   */
  async remaining(): Promise<number> {
    const stat = await this.handle.stat();
    // A file that grew since the end was reached (a capture still being written) has more to read.
    if (stat.size > this.size) this.eof = false;
    this.size = stat.size;
    return Math.max(0, this.size - this.offset);
  }

  /** Size of the file as last seen; cheap, may be stale for a file that is growing. */
  get knownRemaining(): number {
    return Math.max(0, this.size - this.offset);
  }

  /**
   * Reads until at least `count` bytes are available, or the file ends. Returns whether `count`
   * bytes are available.
   */
  async fill(count: number): Promise<boolean> {
    if (this.available >= count) return true;
    if (count > this.bytes.length) this.grow(count);
    while (this.available < count && !this.eof) {
      await this.readMore();
    }
    return this.available >= count;
  }

  /**
   * Moves the unconsumed bytes to the front and reads as much as fits behind them (`fill` has made
   * sure the buffer can hold the record being completed).
   */
  private async readMore(): Promise<void> {
    if (this.start > 0) {
      this.bytes.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(
        this.bytes,
        this.end,
        this.bytes.length - this.end,
        this.readPosition,
      ));
    } catch (err) {
      throw new CaptureReadError(this.file, err);
    }
    if (bytesRead === 0) {
      this.eof = true;
      return;
    }
    this.end += bytesRead;
    this.readPosition += bytesRead;
  }

  /** Consumes `count` bytes; beyond the buffered ones the file position simply moves (no reading). */
  skip(count: number): void {
    const buffered = this.available;
    if (count <= buffered) {
      this.start += count;
      return;
    }
    this.readPosition += count - buffered;
    this.start = 0;
    this.end = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private grow(capacity: number): void {
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(this.start, this.end));
    this.end -= this.start;
    this.start = 0;
    this.bytes = next;
  }
}
