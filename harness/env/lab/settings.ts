/**
 * The lab's settings: `lab:` in the options file, with `--lab-fault` merged into `faults` by the
 * run command. Strict: an unknown key, a value of the wrong shape or an unknown fault is a usage
 * error naming `lab.<field>` and what was expected, before anything is created.
 */
import { z } from 'zod';
import { UsageError } from '../../common/errors.js';
import { LAB_DATA_PLANES, type LabDataPlane } from './infra/topology.js';
import type { Behaviour } from './reference/behaviour.js';
import { BehaviourConflict } from './reference/behaviour.js';
import { behaviourWith, type FaultName, isFaultName } from './reference/faults.js';

const NODES = 'expected a whole number from 1 to 50';
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
    .max(50, { error: NODES })
    .optional(),
  /**
   * What carries pod traffic: `linux` (node kernels, the default) or `ovn` (real OVN in
   * OVN-Kubernetes' shape, any family; docs/ovn-lab.md).
   */
  dataPlane: z.enum(LAB_DATA_PLANES, { error: 'expected linux or ovn' }).optional(),
  /** Known faults the reference runs with (`lab faults` lists them). */
  faults: z.array(faultName, { error: 'expected a list of fault names, e.g. [no-snat]' }).optional(),
});

export interface LabSettings {
  nodes?: number;
  dataPlane: LabDataPlane;
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
export function parseLabSettings(raw: Record<string, unknown>): LabSettings {
  const result = labSettingsSchema.safeParse(raw, { reportInput: true });
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
  try {
    const settings: LabSettings = {
      faults,
      behaviour: behaviourWith(faults),
      dataPlane,
    };
    if (result.data.nodes !== undefined) settings.nodes = result.data.nodes;
    return settings;
  } catch (error) {
    if (!(error instanceof BehaviourConflict)) throw error;
    throw new UsageError(
      `lab.faults${FAULTS_SOURCE}: ${error.first} and ${error.second} cannot run together (both set ${error.field}, to different values)`,
    );
  }
}
