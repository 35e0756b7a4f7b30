/**
 * The lab's settings: `lab:` in the options file, with `--lab-fault` merged into `faults` by the
 * run command. Strict: an unknown key, a value of the wrong shape or an unknown fault is a usage
 * error naming `lab.<field>` and what was expected, before anything is created.
 */
import { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import { LAB_MAX_NODES } from '../../common/limits.js';
import type { SettingsSchema } from '../provider.js';
import {
  LAB_DATA_PLANES,
  LAB_GATEWAY_MODES,
  type LabDataPlane,
  type LabGatewayMode,
} from './infra/topology.js';
import type { Behaviour } from './reference/behaviour.js';
import { BehaviourConflict } from './reference/behaviour.js';
import { behaviourWith, FAULTS, type FaultName, isFaultName } from './reference/faults.js';

const NODES = `expected a whole number from 1 to ${LAB_MAX_NODES}`;
/** `faults` comes from the options file or, replacing it, from `--lab-fault`. */
const FAULTS_SOURCE = ' (--lab-fault or the options file)';

const faultName = z
  .string({ error: 'expected a fault name' })
  .refine(isFaultName, { error: 'expected a known fault (`egress-conformance lab faults` lists them)' });

export const labSettingsSchema = z.strictObject({
  /** Nodes of the lab (default 3: control-plane, worker, worker2). */
  nodes: z
    .number({ error: NODES })
    .int({ error: NODES })
    .min(1, { error: NODES })
    .max(LAB_MAX_NODES, { error: NODES })
    .optional(),
  /**
   * What carries pod traffic: `linux` (node kernels, the default) or `ovn` (real OVN in
   * OVN-Kubernetes' shape, any family; docs/ovn-lab.md).
   */
  dataPlane: z.enum(LAB_DATA_PLANES, { error: 'expected linux or ovn' }).optional(),
  /**
   * With `dataPlane: ovn`: OVN-Kubernetes' gateway mode, `local` (pod egress through the node's
   * host, the default) or `shared` (through the node's gateway router; docs/ovn-lab.md).
   */
  gatewayMode: z.enum(LAB_GATEWAY_MODES, { error: 'expected shared or local' }).optional(),
  /** Known faults the reference runs with (`lab faults` lists them). */
  faults: z.array(faultName, { error: 'expected a list of fault names, e.g. [no-snat]' }).optional(),
});

export interface LabSettings {
  nodes?: number;
  dataPlane: LabDataPlane;
  /** Only with the OVN data plane (local when not given). */
  gatewayMode?: LabGatewayMode;
  faults: FaultName[];
  /** The reference's behaviour with those faults (conformant without any). */
  behaviour: Behaviour;
}

/** What a value was, for the error line: short, and never the whole of a large value. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function field(path: ReadonlyArray<PropertyKey>): string {
  return ['lab', ...path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
    .join('.')
    .replace(/\.\[/g, '[');
}

/** The settings, checked; throws a one-line UsageError for the first problem. */
export function parseLabSettings(raw: Record<string, unknown> | undefined): LabSettings {
  const result = labSettingsSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(labSettingsSchema.shape).join(', ');
      throw new UsageError(
        `${field([...issue.path, issue.keys[0] ?? ''])} (options file): unknown setting; lab: takes ${known}`,
      );
    }
    const source = issue.path[0] === 'faults' ? FAULTS_SOURCE : ' (options file)';
    throw new UsageError(`${field(issue.path)}${source}: ${issue.message}, found ${shown(issue.input)}`);
  }
  const faults = [...new Set(result.data.faults ?? [])] as FaultName[];
  const dataPlane = result.data.dataPlane ?? 'linux';
  const gatewayMode = result.data.gatewayMode;
  if (gatewayMode !== undefined && dataPlane !== 'ovn') {
    throw new UsageError(
      `lab.gatewayMode (options file): a setting of the OVN data plane, not of ${dataPlane}; set lab.dataPlane: ovn or remove it`,
    );
  }
  const elsewhere = faults.find((name) => {
    const needs = (FAULTS.find((f) => f.name === name) as { dataPlane?: string }).dataPlane;
    return needs !== undefined && needs !== dataPlane;
  });
  if (elsewhere) {
    throw new UsageError(
      `lab.faults${FAULTS_SOURCE}: ${elsewhere} is a fault of the OVN data plane; set lab.dataPlane: ovn in the options file`,
    );
  }
  try {
    const settings: LabSettings = {
      faults,
      behaviour: behaviourWith(faults),
      dataPlane,
    };
    if (result.data.nodes !== undefined) settings.nodes = result.data.nodes;
    if (dataPlane === 'ovn') settings.gatewayMode = gatewayMode ?? 'local';
    return settings;
  } catch (error) {
    if (!(error instanceof BehaviourConflict)) throw error;
    throw new UsageError(
      `lab.faults${FAULTS_SOURCE}: ${error.first} and ${error.second} cannot run together (both set ${error.field}, to different values)`,
    );
  }
}

/** The lab's entry in the provider table (env/providers.ts): `lab:`, parsed once per command. */
export const labSettings: SettingsSchema<LabSettings> = {
  schema: labSettingsSchema,
  parse: parseLabSettings,
};

/**
 * Shared gateway mode's br-ex flows are IPv4's (infra/ovn.ts sharedGatewayBridgeScript): a usage
 * error for another family rather than a lab whose IPv6 egress has no path.
 */
export function checkGatewayModeFamilies(
  gatewayMode: LabGatewayMode | undefined,
  families: readonly string[],
): void {
  if (gatewayMode === 'shared' && families.join() !== 'ipv4') {
    throw new UsageError(
      `lab.gatewayMode (options file): shared carries the ipv4 family only for now, not ${families.join('+')}; run with --family ipv4 or use local`,
    );
  }
}
