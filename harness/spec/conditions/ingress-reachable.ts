import { z } from 'zod';
import { defineCondition } from '../definitions.js';
import { name, port, protocol } from '../fields.js';

/** The peer reaches the Service at its LoadBalancer IP and port and every backend answers. */
export const ingressReachable = defineCondition({
  kind: 'ingressReachable',
  schema: z.strictObject({
    service: name,
    peer: z.string().min(1).default('default'),
    port,
    protocol: protocol.default('tcp'),
    attempts: z.number().int().min(1).max(200).default(30),
    allBackends: z.boolean().default(true),
  }),
  doc: {
    syntax: '`ingressReachable: {service, peer, port, protocol, attempts, allBackends}`',
    meaning:
      'the peer connects to the LoadBalancer IP and port `attempts` times, every attempt is answered, and (`allBackends`, default) every backend answers at least once',
  },
});
