/**
 * What a host needs to run the kind provider, checked from facts a reader supplies, so that the
 * checks are tested against prepared host descriptions and `doctor` / `preflight()` read the
 * real host through the same code.
 *
 * The list is what the pinned upstream scripts need (recorded in upstream-facts.yaml):
 * contrib/kind-helm.sh checks for curl, kubectl, kind, jq, awk, jinjanate and docker, and for IPv6 it
 * requires net.ipv6.conf.all.forwarding=1 and disable_ipv6=0 on the host (check_ipv6); building
 * the image takes git, make and Go 1.21 (go-controller/go.mod); kind's known-issues page gives the
 * inotify limits; OVN-Kubernetes needs the openvswitch and geneve modules (the nodes share the
 * host's kernel; docs/troubleshooting/debugging.md), and the second network's VRF needs vrf;
 * OVN-Kubernetes' KIND guide asks for 20 GB of free disk before bring-up.
 */
import { constants } from 'node:fs';
import { access, readdir, readFile, statfs } from 'node:fs/promises';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { IpFamily } from '../environment.js';
import { type PinSet, pinSet } from './pin-sets.js';

export interface HostFacts {
  /** Absolute path of an executable on PATH, or undefined. */
  which(command: string): Promise<string | undefined>;
  /** First line of a version command's output, or undefined when it fails. */
  version(argv: string[]): Promise<string | undefined>;
  /** Whether the Docker daemon answers, with its server version or the error. */
  docker(): Promise<{ reachable: boolean; detail: string }>;
  /** Module names in /proc/modules or /sys/module (loaded or built in). */
  loadedModules(): Promise<Set<string>>;
  /** Whether `modinfo` or the kernel's modules.dep / modules.builtin know the module. */
  moduleLoadable(name: string): Promise<boolean>;
  /** An integer sysctl under /proc/sys, e.g. fs/inotify/max_user_watches. */
  sysctl(path: string): Promise<number | undefined>;
  /** Free bytes on the filesystem holding path. */
  freeBytes(path: string): Promise<number | undefined>;
}

export interface HostCheck {
  item: string;
  ok: boolean;
  /** What was found: a version, a value, or what is missing. */
  detail: string;
  /** What to do when not ok. */
  fix: string;
}

/** The kernel modules the provider can need; vrf only for a second network in a VRF. */
export const KERNEL_MODULES = ['openvswitch', 'geneve', 'vrf'] as const;
export const INOTIFY_MINIMUMS = { max_user_watches: 524288, max_user_instances: 512 } as const;
/** contrib/kind-helm.sh check_ipv6: what an IPv6 or dual-stack cluster needs of the host. */
export const IPV6_SYSCTLS = {
  'net/ipv6/conf/all/forwarding': 1,
  'net/ipv6/conf/all/disable_ipv6': 0,
} as const;
/** Before bring-up: what OVN-Kubernetes' KIND guide asks for. */
export const MIN_FREE_BYTES = 20 * 1024 ** 3;
/** With the environment already up: room for a run's captures, reports and diagnostics. */
export const RUN_FREE_BYTES = 2 * 1024 ** 3;
/** Go that builds go-controller at the pinned commit (go.mod: `go 1.21`). */
export const MIN_GO = [1, 21] as const;
export interface PinnedTools {
  kind: string;
  kubectl: string;
  helm: string;
}

/** The tools a pin set's CI installs (test/scripts/install-kind.sh: kind, kubectl of K8S_VERSION, helm). */
export function pinnedTools(p: PinSet): PinnedTools {
  return { kind: p.kind.value, kubectl: p.kubernetes.value, helm: p.helm.value };
}

/** The default pin set's. */
export const PINNED_TOOLS: PinnedTools = pinnedTools(pinSet());

const toolFixes = (PINNED_TOOLS: PinnedTools): Record<string, string> => ({
  kind: `install kind ${PINNED_TOOLS.kind}: curl -Lo kind https://kind.sigs.k8s.io/dl/${PINNED_TOOLS.kind}/kind-linux-amd64 && sudo install kind /usr/local/bin/`,
  kubectl: `install kubectl ${PINNED_TOOLS.kubectl}: curl -LO https://dl.k8s.io/release/${PINNED_TOOLS.kubectl}/bin/linux/amd64/kubectl && sudo install kubectl /usr/local/bin/`,
  helm: `install helm ${PINNED_TOOLS.helm}: curl -L https://get.helm.sh/helm-${PINNED_TOOLS.helm}-linux-amd64.tar.gz | tar xz && sudo install linux-amd64/helm /usr/local/bin/`,
  git: 'install git (apt-get install git), or set kind.ovnKubernetes.sourcePath to a local OVN-Kubernetes checkout',
  go: `install Go ${MIN_GO.join('.')} or newer (https://go.dev/dl/), or set kind.images.ovnKubernetes to a prebuilt image`,
  make: 'install make (apt-get install make), or set kind.images.ovnKubernetes to a prebuilt image',
  jq: 'install jq (apt-get install jq); contrib/kind-helm.sh needs it',
  curl: 'install curl (apt-get install curl); contrib/kind-helm.sh needs it',
  jinjanate:
    "install jinjanator: pipx install 'jinjanator[yaml]' (contrib/kind-helm.sh renders the kind config with it)",
});

const VERSION_ARGV: Record<string, string[]> = {
  kind: ['kind', 'version'],
  kubectl: ['kubectl', 'version', '--client'],
  helm: ['helm', 'version', '--short'],
  git: ['git', '--version'],
  go: ['go', 'version'],
  make: ['make', '--version'],
  jq: ['jq', '--version'],
  curl: ['curl', '--version'],
  jinjanate: ['jinjanate', '--version'],
};

/** What this host must offer for one bring-up (from the settings; see kind/provider.ts). */
export interface HostNeeds {
  tools: string[];
  modules: string[];
  /** The versions the pin set's CI installs, named in the fixes. */
  pinnedTools?: PinnedTools;
  families: IpFamily[];
  /** Free bytes needed where Docker keeps its data. */
  freeBytes: number;
  /** Why: "before bring-up" or "the environment is up". */
  freeBytesReason: string;
  /** Where Docker keeps images (free disk is checked there). */
  dockerRoot?: string;
  /** The combination's refusal, when upstream does not run it. */
  refusal?: string;
  /** How the combination is named in the check's line. */
  combination?: string;
  /** The upstream lane the combination follows, or that it is beyond upstream (upstream-support.ts). */
  upstreamCoverage?: string;
  /** The base image of the OVN-Kubernetes image the plan builds, and whether it is past its end of life. */
  baseImage?: { pastEndOfLife: boolean; detail: string };
}

function goVersionProblem(line: string | undefined): string | undefined {
  const match = /go(\d+)\.(\d+)/.exec(line ?? '');
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > MIN_GO[0] || (major === MIN_GO[0] && minor >= MIN_GO[1])) return undefined;
  return `${line}: older than go${MIN_GO.join('.')}`;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one ordered list of host checks, each a short branch; splitting scatters the list doctor prints
export async function checkKindHost(facts: HostFacts, needs: HostNeeds): Promise<HostCheck[]> {
  const checks: HostCheck[] = [];
  if (needs.combination !== undefined) {
    checks.push({
      item: 'combination',
      ok: needs.refusal === undefined,
      detail: needs.refusal ?? `${needs.combination}: ${needs.upstreamCoverage ?? 'supported'}`,
      fix: 'choose a supported combination (docs/kind.md)',
    });
  }
  if (needs.baseImage !== undefined) {
    checks.push({
      item: 'base image',
      // A warning: the build may still work from a mirror of the archived release.
      ok: true,
      detail: needs.baseImage.detail,
      fix: 'choose a pin set whose Dockerfile.fedora starts from a supported Fedora (kind.pinSet), or kind.images.ovnKubernetes',
    });
  }
  const dockerPath = await facts.which('docker');
  if (!dockerPath) {
    checks.push({
      item: 'docker',
      ok: false,
      detail: 'not on PATH',
      fix: 'install Docker Engine (https://docs.docker.com/engine/install/) and start it',
    });
  } else {
    const docker = await facts.docker();
    checks.push({
      item: 'docker',
      ok: docker.reachable,
      detail: docker.reachable
        ? `daemon ${docker.detail} reachable`
        : `daemon not reachable: ${docker.detail}`,
      fix: 'start the Docker daemon (sudo systemctl start docker) and make sure this user may use it (docker group)',
    });
  }
  for (const tool of needs.tools) {
    const path = await facts.which(tool);
    const version = path ? await facts.version(VERSION_ARGV[tool] ?? [tool, '--version']) : undefined;
    const tooOld = tool === 'go' && path ? goVersionProblem(version) : undefined;
    checks.push({
      item: tool,
      ok: path !== undefined && tooOld === undefined,
      detail: path ? (tooOld ?? version ?? 'version unknown') : 'not on PATH',
      fix: toolFixes(needs.pinnedTools ?? PINNED_TOOLS)[tool] ?? `install ${tool}`,
    });
  }
  const loaded = await facts.loadedModules();
  for (const module of needs.modules) {
    if (loaded.has(module)) {
      checks.push({ item: `kernel module ${module}`, ok: true, detail: 'loaded', fix: '' });
      continue;
    }
    const loadable = await facts.moduleLoadable(module);
    checks.push({
      item: `kernel module ${module}`,
      ok: loadable,
      detail: loadable
        ? 'not loaded, loadable (kind nodes share the host kernel)'
        : 'neither loaded nor loadable',
      fix: loadable
        ? `sudo modprobe ${module}`
        : `install the kernel's extra modules (Ubuntu: sudo apt-get install linux-modules-extra-$(uname -r)), then sudo modprobe ${module}`,
    });
  }
  for (const [name, minimum] of Object.entries(INOTIFY_MINIMUMS)) {
    const value = await facts.sysctl(`fs/inotify/${name}`);
    checks.push({
      item: `fs.inotify.${name}`,
      ok: value !== undefined && value >= minimum,
      detail: value === undefined ? 'unreadable' : `${value} (kind needs at least ${minimum})`,
      fix: `sudo sysctl fs.inotify.${name}=${minimum} (persist it in /etc/sysctl.d/)`,
    });
  }
  if (needs.families.includes('ipv6')) {
    for (const [path, wanted] of Object.entries(IPV6_SYSCTLS)) {
      const name = path.replaceAll('/', '.');
      const value = await facts.sysctl(path);
      checks.push({
        item: name,
        ok: value === wanted,
        detail:
          value === undefined ? 'unreadable' : `${value} (contrib/kind-helm.sh needs ${wanted} for IPv6)`,
        fix: `sudo sysctl -w ${name}=${wanted}`,
      });
    }
  }
  const root = needs.dockerRoot ?? '/var/lib/docker';
  const free = (await facts.freeBytes(root)) ?? (await facts.freeBytes('/'));
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  checks.push({
    item: 'free disk',
    ok: free !== undefined && free >= needs.freeBytes,
    detail:
      free === undefined
        ? 'unknown'
        : `${gib(free)} free where Docker keeps its data (${gib(needs.freeBytes)} needed ${needs.freeBytesReason})`,
    fix: `free at least ${gib(needs.freeBytes)} where Docker keeps its data (docker system prune removes unused images)`,
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------
// The real host.

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function realHostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts {
  const kernel = release();
  return {
    async which(command) {
      for (const dir of (env.PATH ?? '').split(delimiter)) {
        if (dir && (await executable(join(dir, command)))) return join(dir, command);
      }
      return undefined;
    },
    async version(argv) {
      const [file, ...args] = argv;
      if (!file) return undefined;
      const result = await execa(file, args, { reject: false, timeout: 15_000, stdin: 'ignore' });
      if (result.exitCode !== 0) return undefined;
      return String(result.stdout).split('\n')[0]?.trim() || undefined;
    },
    async docker() {
      const result = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
        reject: false,
        timeout: 15_000,
        stdin: 'ignore',
      });
      if (result.exitCode === 0) return { reachable: true, detail: String(result.stdout).trim() };
      const error =
        String(result.stderr || result.message)
          .split('\n')
          .find((l) => l.trim()) ?? 'no answer';
      return { reachable: false, detail: error.trim() };
    },
    async loadedModules() {
      const names = new Set<string>();
      try {
        for (const line of (await readFile('/proc/modules', 'utf8')).split('\n')) {
          const name = line.split(' ')[0];
          if (name) names.add(name);
        }
      } catch {
        // no /proc/modules (a kernel without loadable modules, or a sandbox)
      }
      try {
        for (const name of await readdir('/sys/module')) names.add(name);
      } catch {
        // no sysfs
      }
      return names;
    },
    async moduleLoadable(name) {
      const modinfo = await execa('modinfo', [name], {
        reject: false,
        timeout: 10_000,
        stdin: 'ignore',
      }).catch(() => undefined);
      if (modinfo && modinfo.exitCode === 0) return true;
      const pattern = new RegExp(`/${name}\\.ko(\\.(xz|gz|zst))?(:|$)`, 'm');
      for (const file of ['modules.dep', 'modules.builtin']) {
        try {
          if (pattern.test(await readFile(join('/lib/modules', kernel, file), 'utf8'))) return true;
        } catch {
          // no module tree for this kernel
        }
      }
      return false;
    },
    async sysctl(path) {
      try {
        const value = Number.parseInt((await readFile(join('/proc/sys', path), 'utf8')).trim(), 10);
        return Number.isNaN(value) ? undefined : value;
      } catch {
        return undefined;
      }
    },
    async freeBytes(path) {
      try {
        const stats = await statfs(path);
        return stats.bavail * stats.bsize;
      } catch {
        return undefined;
      }
    },
  };
}

/** One line per check: what is there, or what is missing and its fix. */
export function formatHostChecks(checks: HostCheck[]): string[] {
  return checks.map((c) =>
    c.ok ? `ok       ${c.item}: ${c.detail}` : `MISSING  ${c.item}: ${c.detail} — fix: ${c.fix}`,
  );
}
