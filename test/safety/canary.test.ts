/**
 * Secrets by value: a unique canary planted in every secret-bearing field of the options file and
 * the kubeconfig (BGP passwords, repository URLs with userinfo, the kubeconfig's token, password,
 * key data and server URL userinfo, an ssh command template with a password, a URL in a field not
 * named as a secret) reaches no output of any command and no file the command writes (report
 * dirs, caches under HOME). The lab run that writes a failing report is in
 * test/e2e/safety-signals.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, filesWithCanary, plantCanary } from '../support/canary.js';
import { cli } from '../support/cli.js';

let dir: string;
let planted: Awaited<ReturnType<typeof plantCanary>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec-canary-'));
  planted = await plantCanary(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a canary secret in every field', () => {
  // The dry runs ask for --verbose: the effective options dump, where every field is printed.
  it.each(
    [
      ['run', '--dry-run', '--verbose', '--provider', 'kind'],
      ['run', '--dry-run', '--verbose', '--provider', 'existing'],
      ['run', '--dry-run', '--verbose', '--provider', 'lab'],
      ['up', '--dry-run', '--provider', 'kind'],
      ['up', '--dry-run', '--provider', 'existing'],
      ['status', '--provider', 'existing'],
      ['status', '--provider', 'kind'],
      ['down', '--provider', 'existing'],
      ['doctor', '--provider', 'kind'],
      ['run', '--provider', 'existing', '--report-dir', 'REPORT'],
    ].map((args) => [args.join(' '), args] as const),
  )('reaches no output or file of `%s`', async (_name, args) => {
    const report = join(dir, `report-${args.join('-')}`);
    const argv = [...args.map((a) => (a === 'REPORT' ? report : a)), '--options-file', planted.options];
    const { code, stdout, stderr } = await cli(argv, { env: { HOME: planted.home }, timeout: 90_000 });
    // The commands ran (not refused before reading the inputs): a plan, a status, a report.
    expect(code, stderr).not.toBe(2);
    expect(`${stdout}\n${stderr}`).not.toContain(CANARY);
    expect(`${stdout}\n${stderr}`.length).toBeGreaterThan(0);
    expect(await filesWithCanary(report)).toEqual([]);
    expect(await filesWithCanary(planted.home)).toEqual([]);
  });

  it('the report says where a secret was, with the rest of the value kept', async () => {
    const report = join(dir, 'report-run---provider-existing---report-dir-REPORT');
    const results = JSON.parse(await readFile(join(report, 'results.json'), 'utf8')) as {
      options: {
        providerOptions: {
          existing: { kubeconfig: string; peer: { commandTemplate: string; bgpPassword: string } };
          kind: { ovnKubernetes: { repository: string } };
        };
      };
    };
    const { existing, kind } = results.options.providerOptions;
    expect(existing.kubeconfig).toBe('<redacted>');
    expect(existing.peer.bgpPassword).toBe('<redacted>');
    expect(existing.peer.commandTemplate).toBe('sshpass -p <redacted> ssh {ssh} {command}');
    expect(kind.ovnKubernetes.repository).toBe('https://<redacted>@git.example.test/ovn.git');
  });
});
