/** A canary secret planted in every secret-bearing input field, and a search for it in what a run wrote. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
