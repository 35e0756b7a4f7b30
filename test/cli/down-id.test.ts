/**
 * `down --id` (issue #22): an empty id once removed every kept lab and exited 0; a malformed one
 * reached Docker. Each is now exit 2 in one line, before any provider is asked. The CLI runs with
 * no docker on its PATH and an unreachable DOCKER_HOST, so that a regression cannot remove
 * anyone's environment on this shared engine.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const NO_DOCKER = { PATH: dirname(process.execPath), DOCKER_HOST: 'unix:///nonexistent/ec-down-id.sock' };

describe('down --id', () => {
  it.each([
    ['lab', ''],
    ['lab', 'BAD ID'],
    ['kind', ''],
    ['lab', '../../etc'],
    ['lab', '-rf'],
    ['lab', 'ECLAB-17F221'],
  ])('--provider %s --id %j is exit 2 in one line', async (provider, id) => {
    const { code, stdout, stderr } = await cli(['down', '--provider', provider, `--id=${id}`], {
      env: NO_DOCKER,
    });
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `--id ${JSON.stringify(id).replace(/[.*+?^$()|[\]\\]/g, '\\$&')}: expected an? (environment|lab) id`,
      ),
    );
    expect(stderr).not.toMatch(/\n\s+at |--debug/);
  });

  it('refuses --id with --all', async () => {
    const { code, stderr } = await cli(['down', '--provider', 'lab', '--id', 'eclab-abc', '--all'], {
      env: NO_DOCKER,
    });
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/--id and --all: expected one of them$/);
  });
});
