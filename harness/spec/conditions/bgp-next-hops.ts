import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, nodeRefSchema } from '../fields.js';

/** The peer's BGP table has the Service's LoadBalancer IP with these next hops. */
export const bgpNextHops = defineCondition({
  kind: 'bgpNextHops',
  schema: z.strictObject({
    service: name,
    peer: z.string().min(1).default('default'),
    nextHops: z.union([z.enum(['egressNode', 'none', 'allNodes']), z.strictObject({ node: nodeRefSchema })]),
  }),
  doc: {
    syntax: '`bgpNextHops: {service, peer, nextHops}`',
    meaning:
      "the peer's route to the LoadBalancer IP has exactly these next hops: `egressNode` (the chosen node), `none` (no route), `allNodes`, or `{node}`",
  },
});
