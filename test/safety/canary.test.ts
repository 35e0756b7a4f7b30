/**
 * Secrets by value: a unique canary planted in every secret-bearing field of the options file and
 * the kubeconfig (BGP passwords, repository URLs with userinfo, the kubeconfig's token, password,
 * key data and server URL userinfo, an ssh command template with a password, a URL in a field not
 * named as a secret) reaches no output of any command and no file the command writes (report
 * dirs, caches under HOME). The lab run that writes a failing report is in
 * test/e2e/safety-signals.test.ts.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

export const CANARY = `CANARY${process.pid.toString(16)}x9q`;

/** An options file and a kubeconfig with the canary in every secret-bearing field. */
export async function plantCanary(
  dir: string,
): Promise<{ options: string; kubeconfig: string; home: string }> {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://admin:${CANARY}-url@api.example.test:6443" } }]
users: [{ name: u, user: { token: "${CANARY}-token", password: "${CANARY}-password", username: admin, client-key-data: "${CANARY}-keydata" } }]
contexts: [{ name: prod, context: { cluster: c, user: u } }]
current-context: prod
`,
  );
  const options = join(dir, 'options.yaml');
  await writeFile(
    options,
    `implementation: { name: vendor, version: "1", url: "https://bot:${CANARY}-impl@vendor.example.test/x" }
kind:
  bgpPassword: "${CANARY}-kindbgp"
  ovnKubernetes: { repository: "https://user:${CANARY}-repo@git.example.test/ovn.git" }
  metallb: { chartRepository: "https://${CANARY}-chart@charts.example.test/metallb" }
existing:
  kubeconfig: ${kubeconfig}
  peer:
    mode: host
    ssh: ops@peer.example.test
    commandTemplate: "sshpass -p ${CANARY}-sshpass ssh {ssh} {command}"
    addresses: { ipv4: 192.0.2.10 }
    asn: 64500
    bgpPassword: "${CANARY}-existbgp"
`,
  );
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  return { options, kubeconfig, home };
}

/** Every file under `root` whose content holds the canary (the planted inputs excepted). */
export async function filesWithCanary(root: string, except: string[] = []): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (except.includes(path)) continue;
    if ((await readFile(path)).includes(CANARY)) found.push(path);
  }
  return found;
}

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
  it.each(
    [
      ['run', '--dry-run', '--provider', 'kind'],
      ['run', '--dry-run', '--provider', 'existing'],
      ['run', '--dry-run', '--provider', 'lab'],
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
