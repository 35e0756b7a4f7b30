import { z } from 'zod';
import { defineStep } from '../definitions.js';
import {
  captureSiteOf,
  name,
  networkOfTarget,
  port,
  protocol,
  timeoutName,
  trafficFromSchema,
  trafficToSchema,
} from '../fields.js';

/**
 * Background traffic: the capture at the target starts, then every source pod sends one request
 * every `intervalMs` until the matching `stopTraffic` (or the `limit` timeout) ends it. With
 * `watch`, the moment the named EgressService's status.host is first seen non-empty is recorded.
 */
const startTrafficSchema = z.strictObject({
  name,
  from: trafficFromSchema,
  to: trafficToSchema,
  protocol: protocol.default('udp'),
  port: port.optional(),
  intervalMs: z.number().int().min(20).max(5000).default(100),
  /** The named timeout that bounds the traffic, whatever happens. */
  limit: timeoutName.default('probe'),
  watch: name.optional(),
});
export type StartTrafficSpec = z.output<typeof startTrafficSchema>;

export const startTraffic = defineStep({
  kind: 'startTraffic',
  schema: startTrafficSchema,
  doc: [
    {
      syntax: '`startTraffic: {name, from, to, protocol, port, intervalMs, limit, watch}`',
      meaning:
        "background traffic: the target captures while each source pod sends one request every `intervalMs` (default 100, UDP) until `stopTraffic` or the `limit` timeout; `watch: svc` records when that EgressService's status.host is first seen",
    },
  ],
  capturesAt: (body) => captureSiteOf(body.to),
  networks: (body) => networkOfTarget(body.to),
});
