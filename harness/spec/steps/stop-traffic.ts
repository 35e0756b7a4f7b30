import { z } from 'zod';
import { defineStep } from '../definitions.js';
import { checkQualifiers, name, sourceKind } from '../fields.js';

/**
 * Ends background traffic and judges its capture: every packet sent after status.host was
 * published (every packet, without `watch`) must have the expected source. Reports the packets
 * that did not, and the leak window (`leakWindowMs`: from publication to the last of them).
 */
const stopTrafficSchema = z.strictObject({
  name,
  expect: z
    .strictObject({
      source: sourceKind,
      service: name.optional(),
      network: z.string().min(1).optional(),
    })
    .superRefine((e, ctx) => checkQualifiers([e.source], e, ctx)),
});
export type StopTrafficSpec = z.output<typeof stopTrafficSchema>;

export const stopTraffic = defineStep({
  kind: 'stopTraffic',
  checks: true,
  schema: stopTrafficSchema,
  doc: [
    {
      syntax: '`stopTraffic: {name, expect: {source, service, network}}`',
      meaning:
        'ends the traffic; every packet sent after status.host was published (all, without `watch`) must have the source; reports the others and `leakWindowMs`',
    },
  ],
  networks: (body) =>
    body.expect?.network !== undefined ? [{ name: body.expect.network, at: ['expect', 'network'] }] : [],
});
