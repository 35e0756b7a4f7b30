import type { FileHandle } from 'node:fs/promises';
import { InputFileError, openInputFile } from '../common/input-file.js';
import { CaptureFileError, CaptureReadError } from './errors.js';

/** Default read size: large enough that the per-read cost vanishes, small enough to stay in cache. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** What a read came back with; a failed read-ahead is reported when its data is wanted. */
type ReadOutcome = { bytesRead: number; error?: undefined } | { bytesRead: 0; error: unknown };

/**
 * A sliding window over a file. `bytes[start, end)` holds the unconsumed bytes. While the reader
 * parses the window, the next chunk is already being read (on libuv's thread pool) into a second
 * buffer, so copying the file from the page cache overlaps parsing instead of adding to it.
 *
 * Each buffer keeps `headroom` bytes in front of where chunks are read: when the window runs out,
 * its unconsumed tail (a record cut by the chunk boundary) is copied there, right before the next
 * chunk, and the buffers swap. A tail longer than the headroom (a record larger than it) is handled
 * by appending the new chunk behind the tail instead, growing the window's buffer when needed.
 * Memory therefore stays bounded by two chunks plus the largest record, whatever the file size.
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
  private readonly chunkSize: number;
  private readonly headroom: number;
  /** The buffer reads go into: never the window's. */
  private spare: Uint8Array;
  /** The read of the chunk at `aheadPosition` into `spare`, started when the window last moved. */
  private ahead: Promise<ReadOutcome> | null = null;
  private aheadPosition = 0;

  private constructor(file: string, handle: FileHandle, size: number, chunkSize: number) {
    this.file = file;
    this.handle = handle;
    this.size = size;
    this.chunkSize = Math.max(1, chunkSize);
    this.headroom = Math.ceil(this.chunkSize / 4);
    this.bytes = new Uint8Array(this.headroom + this.chunkSize);
    this.spare = new Uint8Array(this.headroom + this.chunkSize);
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
    while (this.available < count && !this.eof) {
      await this.readMore();
    }
    return this.available >= count;
  }

  /** Brings the next chunk behind the unconsumed bytes, and starts reading the one after. */
  private async readMore(): Promise<void> {
    let bytesRead = await this.takeAhead();
    if (bytesRead === null) {
      bytesRead = this.settle(await this.readInto(this.spare, this.readPosition));
    }
    if (bytesRead === 0) {
      this.eof = true;
      return;
    }
    const tail = this.available;
    if (tail <= this.headroom) {
      const window = this.spare;
      window.set(this.bytes.subarray(this.start, this.end), this.headroom - tail);
      this.spare = this.bytes;
      this.bytes = window;
      this.start = this.headroom - tail;
      this.end = this.headroom + bytesRead;
    } else {
      this.makeRoom(tail + bytesRead);
      this.bytes.set(this.spare.subarray(this.headroom, this.headroom + bytesRead), this.end);
      this.end += bytesRead;
    }
    this.readPosition += bytesRead;
    this.ahead = this.readInto(this.spare, this.readPosition);
    this.aheadPosition = this.readPosition;
  }

  /** The read-ahead's byte count if it read where the file continues; null if there was none. */
  private async takeAhead(): Promise<number | null> {
    const ahead = this.ahead;
    if (ahead === null) return null;
    this.ahead = null;
    const outcome = await ahead;
    // skip() moved past it: its data is not the next.
    if (this.aheadPosition !== this.readPosition) return null;
    return this.settle(outcome);
  }

  private settle(outcome: ReadOutcome): number {
    if (outcome.error !== undefined) throw new CaptureReadError(this.file, outcome.error);
    return outcome.bytesRead;
  }

  /** Reads a chunk into `buffer` behind its headroom. Never rejects, so an unawaited read cannot crash. */
  private readInto(buffer: Uint8Array, position: number): Promise<ReadOutcome> {
    return this.handle.read(buffer, this.headroom, this.chunkSize, position).then(
      ({ bytesRead }) => ({ bytesRead }),
      (error: unknown) => ({ bytesRead: 0, error: error ?? new Error('read failed') }),
    );
  }

  /** Moves the unconsumed bytes to the front of a window buffer that holds at least `capacity`. */
  private makeRoom(capacity: number): void {
    if (capacity > this.bytes.length) {
      const next = new Uint8Array(Math.max(capacity, this.bytes.length * 2));
      next.set(this.bytes.subarray(this.start, this.end));
      this.bytes = next;
    } else if (this.start > 0) {
      this.bytes.copyWithin(0, this.start, this.end);
    }
    this.end -= this.start;
    this.start = 0;
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
    // A read still in flight must finish before its descriptor goes away.
    if (this.ahead !== null) await this.ahead;
    await this.handle.close();
  }
}
