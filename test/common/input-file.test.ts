/**
 * The shared guard for files the user names: real FIFOs, devices, directories and /proc files, not
 * stand-ins. A FIFO test that regressed would hang in open(): the per-test timeout fails it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/common/errors.js';
import {
  InputFileError,
  openInputFile,
  readInputFile,
  readInputText,
} from '../../harness/common/input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ec-input-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<InputFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputFileError);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).not.toContain('\n');
  return error as InputFileError;
}

describe('openInputFile and readInputFile', () => {
  it('reads a regular file', async () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'id: x\n');
    expect(await readInputText(file, { maxBytes: 100 })).toBe('id: x\n');
    const { handle, size } = await openInputFile(file);
    expect(size).toBe(6);
    await handle.close();
  });

  it('names a missing file, with the errno code', async () => {
    const file = join(dir, 'missing.yaml');
    const error = await refusal(readInputFile(file, { maxBytes: 100 }));
    expect(error.message).toBe(`${file}: no such file`);
    expect(error.code).toBe('ENOENT');
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(openInputFile(fifo));
    expect(error.message).toBe(`${fifo}: is a FIFO (named pipe), not a regular file`);
  });

  it('refuses character devices without reading them (/dev/zero never ends)', async () => {
    const error = await refusal(readInputFile('/dev/zero', { maxBytes: 1 << 20 }));
    expect(error.message).toBe('/dev/zero: is a character device, not a regular file');
  });

  it('refuses a directory', async () => {
    const error = await refusal(readInputFile(dir, { maxBytes: 100 }));
    expect(error.message).toBe(`${dir}: is a directory, not a regular file`);
  });

  it('refuses a file over the limit before reading it, and reads one at the limit', async () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, 'x'.repeat(101));
    const error = await refusal(readInputFile(file, { maxBytes: 100, label: '--options-file' }));
    expect(error.message).toBe(
      `--options-file ${file}: is 101 bytes, over the limit of 100 bytes for this file`,
    );
    writeFileSync(file, 'x'.repeat(100));
    expect((await readInputFile(file, { maxBytes: 100 })).length).toBe(100);
  });

  it('keeps the bound when the size on disk says nothing (/proc files report 0 bytes)', async () => {
    const error = await refusal(readInputFile('/proc/self/maps', { maxBytes: 16 }));
    expect(error.message).toBe(
      '/proc/self/maps: is more than 16 bytes, over the limit of 16 bytes for this file',
    );
    expect((await readInputText('/proc/self/maps', { maxBytes: 1 << 20 })).length).toBeGreaterThan(16);
  });

  it('escapes control characters in the file name it echoes', async () => {
    const name = join(dir, 'a.yaml\nb.yaml:1: forged \u001b[31m');
    const error = await refusal(readInputFile(name, { maxBytes: 100 }));
    expect(error.message).toBe(`${dir}/a.yaml\\nb.yaml:1: forged \\x1b[31m: no such file`);
    expect(error.file).toBe(name);
  });
});
