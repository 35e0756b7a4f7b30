/** The one executor: order, retries with backoff, tolerated failures, skips, and no secret leaks. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../harness/common/log.js';
import { type ExecutorFs, executePlan, PlanError } from '../../harness/env/shared/plan-executor.js';
import { applyAction, type PlannedAction } from '../../harness/env/shared/planned-actions.js';
import { recordingRunner } from '../support/recording-runner.js';

function memoryFs(existing: string[] = []) {
  const files = new Map<string, string>();
  const fs: ExecutorFs = {
    writeFile: async (path, content) => {
      files.set(path, content);
    },
    exists: (path) => existing.includes(path) || files.has(path),
  };
  return { fs, files };
}

describe('executePlan', () => {
  it('runs commands in order, writes files, and times phases', async () => {
    const { runner, calls } = recordingRunner();
    const { fs, files } = memoryFs();
    const actions: PlannedAction[] = [
      { type: 'write', phase: 'a', title: 'file', path: '/w/f', content: 'x' },
      { type: 'run', phase: 'a', title: 'one', argv: ['echo', '1'] },
      { type: 'run', phase: 'b', title: 'two', argv: ['echo', '2'], env: { K: 'v' } },
    ];
    const phases = await executePlan(actions, { runner, fs, log: silentLogger(), secrets: {} });
    expect(calls.map((c) => c.argv)).toEqual([
      ['echo', '1'],
      ['echo', '2'],
    ]);
    expect(calls[1]?.options.env).toEqual({ K: 'v' });
    expect(files.get('/w/f')).toBe('x');
    expect(phases.map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('retries with doubling delays until the command succeeds', async () => {
    const { runner, calls } = recordingRunner((_argv, n) =>
      n < 3 ? { exitCode: 1, stderr: 'webhook not ready' } : undefined,
    );
    const delays: number[] = [];
    await executePlan(
      [
        {
          type: 'run',
          phase: 'm',
          title: 'apply',
          argv: ['kubectl', 'apply'],
          retry: { attempts: 6, delayMs: 2000, backoff: 2 },
        },
      ],
      {
        runner,
        log: silentLogger(),
        secrets: {},
        fs: memoryFs().fs,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(calls).toHaveLength(3);
    expect(delays).toEqual([2000, 4000]);
  });

  it('stops at the first failure with the step and command, unless the failure is tolerated', async () => {
    const { runner, calls } = recordingRunner((argv) =>
      argv[0] === 'bad' ? { exitCode: 2, stderr: 'boom' } : undefined,
    );
    const log: string[] = [];
    await executePlan(
      [
        { type: 'run', phase: 'p', title: 'tolerated', argv: ['bad'], allowFailure: true },
        { type: 'run', phase: 'p', title: 'next', argv: ['ok'] },
      ],
      { runner, log: silentLogger(log), secrets: {}, fs: memoryFs().fs },
    );
    expect(calls).toHaveLength(2);
    expect(log.join('\n')).toMatch(/tolerated/);
    const failing = executePlan(
      [
        { type: 'run', phase: 'p', title: 'fails', argv: ['bad', 'arg'] },
        { type: 'run', phase: 'p', title: 'never', argv: ['never'] },
      ],
      { runner, log: silentLogger(), secrets: {}, fs: memoryFs().fs },
    );
    await expect(failing).rejects.toThrow(PlanError);
    await expect(failing).rejects.toThrow(/step 1 \(fails\) failed with exit 2:\n {2}\$ bad arg\n {2}boom/);
    expect(calls.some((c) => c.argv[0] === 'never')).toBe(false);
  });

  it('skips a clone that an earlier run made', async () => {
    const { runner, calls } = recordingRunner();
    await executePlan(
      [{ type: 'run', phase: 'p', title: 'clone', argv: ['git', 'clone'], unlessExists: '/cache/repo' }],
      {
        runner,
        log: silentLogger(),
        secrets: {},
        fs: memoryFs(['/cache/repo']).fs,
      },
    );
    expect(calls).toHaveLength(0);
  });

  it('substitutes secrets only when running, and scrubs them from errors and logs', async () => {
    const secret = 'Very-Secret-42';
    const { runner, calls } = recordingRunner(() => ({
      exitCode: 1,
      stderr: `denied for password ${secret}`,
    }));
    const { fs, files } = memoryFs();
    const log: string[] = [];
    const action = applyAction(
      'm',
      'secret',
      ['kubectl'],
      [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'n' },
          stringData: { password: '{{secret:bgpPassword}}' },
        },
      ],
    );
    const run = executePlan(
      [
        {
          type: 'write',
          phase: 'm',
          title: 'conf',
          path: '/c',
          content: 'password {{secret:bgpPassword}}\n',
        },
        action,
      ],
      { runner, fs, log: silentLogger(log), secrets: { bgpPassword: secret } },
    );
    const error = await run.catch((e: Error) => e);
    expect(files.get('/c')).toBe(`password ${secret}\n`);
    expect(calls[0]?.options.stdin).toContain(secret);
    expect(String(error)).not.toContain(secret);
    expect(String(error)).toContain('<redacted>');
    expect(log.join('\n')).not.toContain(secret);
    await expect(
      executePlan([{ type: 'write', phase: 'm', title: 'x', path: '/x', content: '{{secret:missing}}' }], {
        runner,
        fs,
        log: silentLogger(),
        secrets: {},
      }),
    ).rejects.toThrow(/secret missing/);
  });
});
