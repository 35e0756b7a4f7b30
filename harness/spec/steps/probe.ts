import { z } from 'zod';
import { defineStep } from '../definitions.js';
import {
  captureSiteOf,
  checkQualifiers,
  name,
  namespaceRef,
  networkOfTarget,
  port,
  probeProtocol,
  SOURCE_KIND_MEANINGS,
  sourceKind,
  timeoutName,
  trafficFromSchema,
  trafficToSchema,
} from '../fields.js';

const probeExpectSchema = z
  .strictObject({
    /** Every packet of the probe flow, seen at the target, has this source. */
    source: sourceKind.optional(),
    /** No packet of the probe flow has this source. */
    notSource: sourceKind.optional(),
    /** The Service whose LoadBalancer IP `loadBalancerIP` means. */
    service: name.optional(),
    /** The namespace of `service`, declared in requires.namespaces (default: the test's). */
    namespace: namespaceRef.optional(),
    /** The network whose node address `networkIP` means. */
    network: z.string().min(1).optional(),
    /**
     * Every attempt completed with a reply (TCP: handshake and payload both ways; UDP: the
     * server's answer; ICMP: the echo reply).
     */
    completes: z.boolean().optional(),
    /** The sources ran on every node of the environment (endpoints spread across nodes). */
    fromEveryNode: z.boolean().optional(),
    /**
     * Peers that capture the flow too and must see none of it: another network's client that
     * shares the target's address (ES-NET-4).
     */
    absentAt: z.array(z.string().min(1)).min(1).max(4).optional(),
  })
  .refine((e) => e.source !== undefined || e.notSource !== undefined || e.completes !== undefined, {
    message: 'expected at least one of source, notSource or completes',
  })
  .superRefine((e, ctx) => checkQualifiers([e.source, e.notSource], e, ctx));

/**
 * What a probe measures besides its verdict: `failover` is the time from the last `failNode` to
 * the first packet of the first round that passed (ES-FAIL-1's bound, reported as `failoverMs`).
 */
const measureSchema = z.enum(['failover']);

const probeSchema = z
  .strictObject({
    name,
    from: trafficFromSchema,
    to: trafficToSchema,
    protocol: probeProtocol.default('tcp'),
    /** Defaults to the target's probe port; ICMP has none. */
    port: port.optional(),
    /** Connections (TCP), datagrams (UDP) or echo requests (ICMP) per source pod. */
    attempts: z.number().int().min(1).max(100).default(3),
    expect: probeExpectSchema,
    /** Repeat the probe until it passes `consecutive` times in a row, within the named timeout. */
    until: z
      .strictObject({ timeout: timeoutName, consecutive: z.number().int().min(1).max(10).default(2) })
      .optional(),
    measure: measureSchema.optional(),
  })
  .superRefine((probe, ctx) => {
    if (probe.protocol === 'icmp' && probe.port !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['port'],
        message: 'an icmp probe sends echo requests, which have no port: leave `port` out',
      });
    }
  });
export type ProbeSpec = z.output<typeof probeSchema>;
export type ProbeExpectation = z.output<typeof probeExpectSchema>;

const sources = Object.entries(SOURCE_KIND_MEANINGS)
  .map(([kind, meaning]) => `\`${kind}\` (${meaning})`)
  .join(', ');

export const probe = defineStep({
  kind: 'probe',
  checks: true,
  schema: probeSchema,
  doc: [
    {
      syntax: '`probe: {name, from, to, protocol, port, attempts, expect, until}`',
      meaning:
        "traffic from pods (`{endpointsOf: svc}`, `{pods: labels}`, `{pod}`) to the peer, a pod or a node (`{peer}`, `{pod}`, `{node}`; `{node, network}`: the node's address on that network, a secondary address) while the target captures; the verdict comes from every captured packet of the flow, and zero packets is a failure",
    },
    {
      syntax: '`probe: {..., protocol: icmp}`',
      meaning:
        'ICMP echo requests (ICMPv6 for IPv6), one per attempt, and no `port`; the flow is the echo requests to the target address, `completes` means each got its echo reply',
    },
    {
      syntax: '`probe: {..., from: {..., except: set}}`',
      meaning:
        'only the pods not in a set an earlier `recordPods`/`deletePods` recorded, each with an address no pod of the set had (a reused address fails the probe: it could not show that the endpoint set is followed)',
    },
    {
      syntax: '`probe: {..., expect: {source, notSource, service, network}}`',
      meaning: `every packet of the flow has the source (\`source\`), or none has it (\`notSource\`): ${sources}`,
    },
    {
      syntax: '`probe: {..., expect: {completes, fromEveryNode}}`',
      meaning:
        'every attempt was answered (`completes`); the sending pods ran on every node (`fromEveryNode`)',
    },
    {
      syntax: '`probe: {..., expect: {absentAt: [peers]}}`',
      meaning:
        'these peers capture the same flow (target address, port and protocol; for icmp the echo requests to the address) over the same time, and not one packet of it may reach them: a client of another network that shares the address',
    },
    {
      syntax: '`probe: {..., until: {timeout, consecutive}}`',
      meaning: 'repeat rounds until the verdict passes `consecutive` rounds in a row within the timeout',
    },
    {
      syntax: '`probe: {..., measure: failover}`',
      meaning:
        'also measures `failoverMs`: from the last `failNode` to the first packet of the first passing round; over the `failover` bound fails',
    },
  ],
  capturesAt: (body) => captureSiteOf(body.to),
  networks: (body) => [
    ...networkOfTarget(body.to),
    ...(body.expect.network !== undefined ? [{ name: body.expect.network, at: ['expect', 'network'] }] : []),
  ],
  evidenceName: (body) => ({ name: body.name, at: ['name'] }),
});
