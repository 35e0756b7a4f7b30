/** upstream-facts.yaml, read and typed for the tests that hold the plans to it. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const sourceName = z.string();
const claim = z.object({
  source: sourceName.optional(),
  path: z.string().optional(),
  quote: z.string().optional(),
  quotes: z.array(z.string()).optional(),
  says: z.string().optional(),
});

const factsSchema = z.object({
  sources: z.record(
    z.string(),
    z.object({ repository: z.string(), ref: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/) }),
  ),
  lanes: z.array(claim),
  ovnKubernetesFiles: z.object({
    source: sourceName,
    present: z.array(z.string()),
    absent: z.array(z.string()),
  }),
  kindSh: z.object({
    source: sourceName,
    path: z.string(),
    env: z.record(z.string(), claim.extend({ values: z.array(z.string()).optional() })),
    behaviour: z.array(claim),
    dependencies: z.array(z.object({ tool: z.string(), quote: z.string() })),
    others: z.array(claim),
  }),
  ovnKubernetesBuild: z.object({
    source: sourceName,
    goVersion: claim.extend({ minimum: z.string() }),
    ciGoVersion: claim,
    make: claim.extend({ produces: z.array(z.string()) }),
    copies: claim,
    gitInfo: claim.extend({ file: z.string() }),
    dockerfile: claim.extend({ needs: z.array(z.string()) }),
  }),
  images: z.array(
    claim.extend({
      reference: z.string(),
      use: z.string(),
      pinned: z.enum(['digest', 'built', 'tag']),
      note: z.string().optional(),
    }),
  ),
  tools: z.record(z.string(), claim.extend({ version: z.string(), note: z.string().optional() })),
  charts: z.object({
    metallb: claim.extend({
      repository: z.string(),
      version: z.string(),
      valuesFile: z.string(),
      values: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])),
      subcharts: z.record(
        z.string(),
        z.object({
          source: sourceName,
          valuesFile: z.string(),
          values: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])),
        }),
      ),
      modes: z.array(claim),
    }),
    setParser: claim,
  }),
  crds: z.record(z.string(), z.object({ source: sourceName, path: z.string(), fields: z.array(z.string()) })),
  modules: z.array(claim.extend({ name: z.string(), when: z.string().optional() })),
  modulesPackage: z.object({ name: z.string(), claims: z.array(claim) }),
  disk: z.array(claim),
  networks: z.array(claim),
  probeClients: z.array(claim),
  refused: z.array(
    claim.extend({
      combination: z.object({
        family: z.enum(['ipv4', 'ipv6', 'dual']).optional(),
        gatewayMode: z.enum(['shared', 'local']).optional(),
        metallbMode: z.enum(['frr-k8s', 'frr']).optional(),
      }),
    }),
  ),
  features: z.record(z.string(), claim.extend({ unsupportedWith: z.string() })),
});

export type UpstreamFacts = z.infer<typeof factsSchema>;

export const FACTS_FILE = 'harness/env/kind/upstream-facts.yaml';

export function loadFacts(): UpstreamFacts {
  return factsSchema.parse(parse(readFileSync(FACTS_FILE, 'utf8')));
}

/** Every quoted claim in the file, with the source and path it is to be found in. */
export function allClaims(
  facts: UpstreamFacts,
): Array<{ where: string; source: string; path: string; quote: string }> {
  const out: Array<{ where: string; source: string; path: string; quote: string }> = [];
  const add = (where: string, c: z.infer<typeof claim>, source?: string, path?: string) => {
    const s = c.source ?? source;
    const p = c.path ?? path;
    for (const quote of [...(c.quote ? [c.quote] : []), ...(c.quotes ?? [])]) {
      if (!s || !p) throw new Error(`${where}: a quote without a source and path`);
      out.push({ where, source: s, path: p, quote });
    }
  };
  for (const [i, c] of facts.lanes.entries()) add(`lanes[${i}]`, c);
  for (const [name, c] of Object.entries(facts.kindSh.env))
    add(`kindSh.env.${name}`, c, facts.kindSh.source, facts.kindSh.path);
  for (const [i, c] of facts.kindSh.behaviour.entries())
    add(`kindSh.behaviour[${i}]`, c, facts.kindSh.source, facts.kindSh.path);
  for (const [i, c] of facts.kindSh.dependencies.entries())
    add(`kindSh.dependencies[${i}]`, { quote: c.quote }, facts.kindSh.source, facts.kindSh.path);
  for (const [i, c] of facts.kindSh.others.entries()) add(`kindSh.others[${i}]`, c);
  const build = facts.ovnKubernetesBuild;
  for (const key of ['goVersion', 'ciGoVersion', 'make', 'copies', 'gitInfo', 'dockerfile'] as const)
    add(`ovnKubernetesBuild.${key}`, build[key], build.source);
  for (const [i, c] of facts.images.entries()) add(`images[${i}]`, c);
  for (const [name, c] of Object.entries(facts.tools)) add(`tools.${name}`, c);
  add('charts.metallb', facts.charts.metallb);
  for (const [i, c] of facts.charts.metallb.modes.entries()) add(`charts.metallb.modes[${i}]`, c);
  for (const [i, c] of facts.modules.entries()) add(`modules[${i}]`, c);
  for (const [i, c] of facts.modulesPackage.claims.entries()) add(`modulesPackage.claims[${i}]`, c);
  for (const [i, c] of facts.disk.entries()) add(`disk[${i}]`, c);
  for (const [i, c] of facts.networks.entries()) add(`networks[${i}]`, c);
  for (const [i, c] of facts.probeClients.entries()) add(`probeClients[${i}]`, c);
  for (const [i, c] of facts.refused.entries()) add(`refused[${i}]`, c);
  for (const [name, c] of Object.entries(facts.features)) add(`features.${name}`, c);
  return out;
}
