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
  for (const [i, c] of facts.modules.entries()) add(`modules[${i}]`, c);
  for (const [i, c] of facts.modulesPackage.claims.entries()) add(`modulesPackage.claims[${i}]`, c);
  for (const [i, c] of facts.disk.entries()) add(`disk[${i}]`, c);
  for (const [i, c] of facts.networks.entries()) add(`networks[${i}]`, c);
  for (const [i, c] of facts.probeClients.entries()) add(`probeClients[${i}]`, c);
  for (const [i, c] of facts.refused.entries()) add(`refused[${i}]`, c);
  for (const [name, c] of Object.entries(facts.features)) add(`features.${name}`, c);
  return out;
}
