/**
 * A Mermaid diagram of an OVN logical topology, drawn from what OVN itself prints: the switches,
 * routers and their connections from `ovn-nbctl show`, the cluster router's policies from
 * `ovn-nbctl lr-policy-list`. Used to draw the lab's topology from a running lab (so the picture
 * cannot drift from the code) and readable in a diagnostics bundle.
 */

interface Datapath {
  kind: 'switch' | 'router';
  name: string;
  ports: Array<{ name: string; routerPort?: string; type?: string; addresses?: string; networks?: string }>;
}

/** Parses `ovn-nbctl show` into switches and routers with their ports. */
export function parseNbShow(text: string): Datapath[] {
  const datapaths: Datapath[] = [];
  let port: Datapath['ports'][number] | undefined;
  for (const line of text.split('\n')) {
    const head = /^(switch|router) \S+ \((.+)\)$/.exec(line);
    if (head) {
      datapaths.push({ kind: head[1] as Datapath['kind'], name: head[2] as string, ports: [] });
      port = undefined;
      continue;
    }
    const current = datapaths.at(-1);
    const portLine = /^ {4}port (\S+)$/.exec(line);
    if (current && portLine) {
      port = { name: portLine[1] as string };
      current.ports.push(port);
      continue;
    }
    if (/^ {4}\S/.test(line)) port = undefined; // nat, lb, ...: not a port
    const field = /^ {8}(router-port|type|addresses|networks): (.+)$/.exec(line);
    if (port && field) {
      const value = (field[2] as string).trim();
      if (field[1] === 'router-port') port.routerPort = value;
      else if (field[1] === 'type') port.type = value;
      else if (field[1] === 'addresses') port.addresses = value;
      else port.networks = value;
    }
  }
  return datapaths;
}

const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const label = (text: string) => text.replaceAll('"', "'");

/**
 * The diagram: a box per router, a rounded box per switch, an edge per router attachment
 * (labelled with the router port's networks), localnet ports as the underlay, other ports
 * (pods, management ports) as leaves, and the cluster router's policies in a note.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one diagram built from every OVN table in order; splitting would pass the partial diagram around
export function ovnTopologyMermaid(
  nbShow: string,
  policyList = '',
  clusterRouter = 'ovn_cluster_router',
): string {
  const datapaths = parseNbShow(nbShow);
  const routerOfPort = new Map<string, { router: string; networks?: string }>();
  for (const dp of datapaths) {
    if (dp.kind !== 'router') continue;
    for (const p of dp.ports)
      routerOfPort.set(p.name, { router: dp.name, ...(p.networks ? { networks: p.networks } : {}) });
  }
  const lines = ['flowchart TB'];
  for (const dp of [...datapaths].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(
      dp.kind === 'router'
        ? `  ${id(dp.name)}["router ${dp.name}"]`
        : `  ${id(dp.name)}("switch ${dp.name}")`,
    );
  }
  const edges: string[] = [];
  for (const dp of datapaths) {
    if (dp.kind !== 'switch') continue;
    for (const p of dp.ports) {
      const attached = p.routerPort ? routerOfPort.get(p.routerPort) : undefined;
      if (attached) {
        const networks = attached.networks ? label(attached.networks.replace(/[[\]"]/g, '')) : '';
        edges.push(
          `  ${id(dp.name)} ---|"${p.routerPort}${networks ? ` ${networks}` : ''}"| ${id(attached.router)}`,
        );
      } else if (p.type === 'localnet') {
        edges.push(`  ${id(dp.name)} --- ${id(`${p.name}_underlay`)}[/"${p.name}: localnet to br-ex"/]`);
      } else if (p.type !== 'router') {
        const addresses = p.addresses ? label(p.addresses.replace(/[[\]"]/g, '')) : '';
        edges.push(
          `  ${id(dp.name)} --- ${id(`${dp.name}_${p.name}`)}(["${p.name}${addresses ? ` ${addresses}` : ''}"])`,
        );
      }
    }
  }
  // Sorted: the same topology draws the same text, whatever order OVN lists it in.
  lines.push(...edges.sort());
  const policies = policyList
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\d+\s/.test(line))
    .map((line) => label(line.replace(/\s+/g, ' ')));
  if (policies.length > 0) {
    lines.push(
      `  ${id(clusterRouter)}_policies["policies of ${clusterRouter}<br/>${policies.join('<br/>')}"]`,
    );
    lines.push(`  ${id(clusterRouter)}_policies -.- ${id(clusterRouter)}`);
  }
  return `${lines.join('\n')}\n`;
}
