/**
 * Docker isolates an `--internal` network with iptables rules that drop every packet entering
 * or leaving its bridge whose source or destination is outside the network's subnet. With
 * bridge netfilter on (`net.bridge.bridge-nf-call-iptables=1`, the usual case: docker loads
 * br_netfilter), that also drops frames bridged between two containers of the same network:
 * the lab's own traffic to "outside" service addresses, LoadBalancer IPs and pod CIDRs.
 *
 * The lab therefore accepts, in DOCKER-USER (evaluated before docker's isolation rules), frames
 * that enter and leave through the same lab bridge (`-i br -o br`): traffic between lab
 * containers only. Nothing is opened towards the host or off the machine. The rules carry the
 * lab id in a comment and are removed with the lab (also by `destroyAllLabs`, after a crash).
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { dockerode } from './docker.js';

const COMMENT_PREFIX = 'egress-conformance lab=';

type Tool = 'iptables' | 'ip6tables';
const TOOLS: { tool: Tool; sysctl: string }[] = [
  { tool: 'iptables', sysctl: '/proc/sys/net/bridge/bridge-nf-call-iptables' },
  { tool: 'ip6tables', sysctl: '/proc/sys/net/bridge/bridge-nf-call-ip6tables' },
];

/** The Linux bridge of a docker bridge network. */
export async function bridgeName(network: string): Promise<string> {
  const info = (await (await dockerode()).getNetwork(network).inspect()) as {
    Id: string;
    Options?: Record<string, string>;
  };
  return info.Options?.['com.docker.network.bridge.name'] ?? `br-${info.Id.slice(0, 12)}`;
}

async function bridgeNetfilterOn(sysctl: string): Promise<boolean> {
  return (await readFile(sysctl, 'utf8').catch(() => '0')).trim() === '1';
}

/** The chain to put rules in: DOCKER-USER when docker manages this family's firewall. */
async function chainFor(tool: Tool): Promise<string | undefined> {
  if ((await execa(tool, ['-w', '-S', 'DOCKER-USER'], { reject: false })).exitCode === 0)
    return 'DOCKER-USER';
  // No docker chain for this family (docker 20.10 leaves ip6tables alone by default): only a
  // FORWARD policy of DROP would stop the lab's traffic.
  const forward = await execa(tool, ['-w', '-S', 'FORWARD'], { reject: false });
  if (forward.exitCode === 0 && forward.stdout.includes('-P FORWARD DROP')) return 'FORWARD';
  return undefined;
}

export async function allowLabBridges(labId: string, networks: string[]): Promise<void> {
  const bridges = await Promise.all(networks.map((n) => bridgeName(n)));
  for (const { tool, sysctl } of TOOLS) {
    if (!(await bridgeNetfilterOn(sysctl))) continue;
    const chain = await chainFor(tool);
    if (!chain) continue;
    for (const bridge of bridges) {
      const rule = [
        '-i',
        bridge,
        '-o',
        bridge,
        '-m',
        'comment',
        '--comment',
        `${COMMENT_PREFIX}${labId}`,
        '-j',
        'ACCEPT',
      ];
      const result = await execa(tool, ['-w', '-I', chain, ...rule], { reject: false, all: true });
      if (result.exitCode !== 0) {
        throw new Error(
          `cannot let lab traffic through docker's isolation of internal networks (${tool} ${chain}): ${result.all?.trim()}\n` +
            `The lab needs, as root: ${tool} -I ${chain} -i ${bridge} -o ${bridge} -j ACCEPT`,
        );
      }
    }
  }
}

/** Removes the lab's rules (of one lab, or of every lab when `labId` is undefined). */
export async function removeLabBridgeRules(labId?: string): Promise<number> {
  let removed = 0;
  for (const { tool } of TOOLS) {
    for (const chain of ['DOCKER-USER', 'FORWARD']) {
      const listed = await execa(tool, ['-w', '-S', chain], { reject: false });
      if (listed.exitCode !== 0) continue;
      for (const line of listed.stdout.split('\n')) {
        const args = splitRule(line);
        const comment = args[args.indexOf('--comment') + 1];
        if (args[0] !== '-A' || !comment?.startsWith(COMMENT_PREFIX)) continue;
        if (labId !== undefined && comment !== `${COMMENT_PREFIX}${labId}`) continue;
        const result = await execa(tool, ['-w', '-D', ...args.slice(1)], { reject: false });
        if (result.exitCode === 0) removed++;
      }
    }
  }
  return removed;
}

/** Splits an `iptables -S` line into arguments (double quotes group words). */
export function splitRule(line: string): string[] {
  const args: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) args.push(match[1] ?? match[2] ?? '');
  return args;
}
