/** Performs one step of a scenario against an Environment. The step set is closed (spec/schema.ts). */
import type { Environment, KubeObject } from '../env/environment.js';
import { conditionOf, type Step } from '../spec/schema.js';
import { render } from '../spec/template.js';
import type { Timeouts } from '../spec/timeouts.js';
import type { CleanupStack } from './cleanup.js';
import { conditionCheck } from './conditions.js';
import type { TestContext } from './context.js';
import { consistently, eventually } from './eventually.js';
import type { KeyedLock } from './keyed-lock.js';
import { describeNodeRef, resolveNode } from './node-refs.js';
import { refOf } from './objects.js';
import { runProbe } from './probe.js';
import type { ProbeEvidenceRecord, TimelineEvent } from './results.js';
import { startTraffic, stopTraffic } from './traffic.js';

export interface StepRun {
  env: Environment;
  ctx: TestContext;
  timeouts: Timeouts;
  cleanup: CleanupStack;
  signal: AbortSignal;
  /** Where this test's artifacts (captures) go. */
  artifactDir: string;
  /** Relative path of artifactDir inside the report dir, for the reports. */
  artifactPath: string;
  /** Shared by the tests of a run: one probe at a time per target. */
  probeTargets: KeyedLock;
}

export interface StepOutcome {
  ok: boolean;
  detail: string;
  evidence?: ProbeEvidenceRecord[];
  /** Probe rounds a later round replaced, kept for the report's timeline. */
  earlierEvidence?: ProbeEvidenceRecord[];
  /** Moments the step saw (e.g. status.host first seen), for the report's timeline. */
  events?: TimelineEvent[];
}

function manifest(run: StepRun, name: string): KubeObject {
  const object = run.ctx.manifests[name];
  if (!object) throw new Error(`no manifest named ${name}`);
  return object;
}

function describeObject(object: KubeObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${ns}${object.metadata.name}`;
}

export async function performStep(step: Step, run: StepRun): Promise<StepOutcome> {
  const { env, ctx, cleanup } = run;
  const namespace = ctx.test.namespace;
  switch (step.kind) {
    case 'apply': {
      const applied: string[] = [];
      for (const name of step.body) {
        const object = manifest(run, name);
        await env.cluster.apply(object);
        const description = `delete ${describeObject(object)}`;
        cleanup.drop(description);
        cleanup.push(description, () => env.cluster.delete(refOf(object)));
        applied.push(describeObject(object));
      }
      return { ok: true, detail: `applied ${applied.join(', ')}` };
    }
    case 'delete': {
      const deleted: string[] = [];
      for (const name of step.body) {
        const object = manifest(run, name);
        await env.cluster.delete(refOf(object));
        cleanup.drop(`delete ${describeObject(object)}`);
        deleted.push(describeObject(object));
      }
      return { ok: true, detail: `deleted ${deleted.join(', ')}` };
    }
    case 'patch': {
      const object = manifest(run, step.body.manifest);
      await env.cluster.patch(refOf(object), render(step.body.patch, ctx.values));
      return { ok: true, detail: `patched ${describeObject(object)}` };
    }
    case 'labelNode':
    case 'unlabelNode': {
      const node = await resolveNode(env.cluster, namespace, step.body.node);
      const key = render(step.body.key, ctx.values);
      const before = node.labels[key];
      const value = step.kind === 'labelNode' ? render(step.body.value, ctx.values) : null;
      await env.cluster.labelNode(node.name, key, value);
      const description = `restore label ${key} on ${node.name}`;
      if (!cleanup.has(description)) {
        cleanup.push(description, () => env.cluster.labelNode(node.name, key, before ?? null));
      }
      return {
        ok: true,
        detail: value === null ? `removed ${key} from ${node.name}` : `labelled ${node.name} ${key}=${value}`,
      };
    }
    case 'failNode': {
      const node = await resolveNode(env.cluster, namespace, step.body.node);
      await env.failNode(node.name);
      ctx.failedAt = Date.now();
      cleanup.push(`restore node ${node.name}`, () => env.restoreNode(node.name));
      ctx.failedNodes.set(JSON.stringify(step.body.node), node.name);
      return { ok: true, detail: `failed ${describeNodeRef(step.body.node)}: ${node.name}` };
    }
    case 'removeNode': {
      // Only a failed machine: a running kubelet would be left without its Node object.
      const name = ctx.failedNodes.get(JSON.stringify(step.body.node));
      if (!name) {
        return {
          ok: false,
          detail: `removeNode ${describeNodeRef(step.body.node)}: no earlier failNode with this node reference`,
        };
      }
      await env.cluster.delete({ apiVersion: 'v1', kind: 'Node', name });
      return { ok: true, detail: `removed the Node object of ${name} (restoreNode registers it again)` };
    }
    case 'restoreNode': {
      // The node to restore is the one an earlier failNode with the same reference failed:
      // after failover, "the egress node" names a different node.
      const name = ctx.failedNodes.get(JSON.stringify(step.body.node));
      const node = name ?? (await resolveNode(env.cluster, namespace, step.body.node)).name;
      await env.restoreNode(node);
      cleanup.drop(`restore node ${node}`);
      return { ok: true, detail: `restored ${node}` };
    }
    case 'wait': {
      const check = conditionCheck(conditionOf(step.body.condition));
      const outcome = await eventually(() => check(env, ctx), {
        timeoutMs: run.timeouts[step.body.timeout as keyof Timeouts],
        consecutive: step.body.consecutive,
        signal: run.signal,
      });
      return {
        ok: outcome.ok,
        detail: outcome.ok ? `${outcome.detail} (after ${outcome.elapsedMs}ms)` : outcome.detail,
      };
    }
    case 'expect': {
      const check = conditionCheck(conditionOf(step.body.condition));
      if (step.body.throughout) {
        const windowMs = run.timeouts[step.body.throughout as keyof Timeouts];
        const outcome = await consistently(() => check(env, ctx), { windowMs, signal: run.signal });
        return {
          ok: outcome.ok,
          detail: outcome.ok ? `${outcome.detail} (held for ${windowMs}ms)` : outcome.detail,
        };
      }
      return check(env, ctx);
    }
    case 'probe':
      return runProbe(step.body, run);
    case 'startTraffic':
      return startTraffic(step.body, run);
    case 'stopTraffic':
      return stopTraffic(step.body, run);
  }
}
