/**
 * A reader that goes away is not a failure: `run --dry-run | head -1` (hostile round 5, F9)
 * ended with Node's unhandled 'error' stack trace and exit 1.
 */
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

describe('a closed stdout', () => {
  it('run --dry-run | head -1: exit 0 and nothing on stderr', async () => {
    // The shell's pipe, as a user has it: head reads one line and closes its end.
    const { stdout } = await execa(
      'bash',
      [
        '-c',
        `node "${CLI}" run --provider lab --dry-run --family ipv4 2>"$ERR" | head -1; echo "exit=\${PIPESTATUS[0]}"; cat "$ERR"`,
      ],
      { env: { ERR: `/tmp/ec-closed-output-${process.pid}.err` }, reject: false },
    );
    await rm(`/tmp/ec-closed-output-${process.pid}.err`, { force: true });
    const [first, exit, ...stderr] = stdout.split('\n');
    expect(first).toMatch(/\S/);
    expect(exit).toBe('exit=0');
    expect(stderr.join('\n')).toBe('');
  }, 60_000);
});
