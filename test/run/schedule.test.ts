/** The order tests start in: longest mandatory waits first, lone tests together at the end. */
import { describe, expect, it } from 'vitest';
import { planRun } from '../../harness/run/plan.js';
import { runsAlone } from '../../harness/run/runner.js';
import { estimatedDurationMs, executionOrder } from '../../harness/run/schedule.js';
import { parseScenario } from '../../harness/spec/loader.js';
import { resolveTimeouts } from '../../harness/spec/timeouts.js';
import { testDescription } from '../support/recording-environment.js';

function scenario(id: string, steps: string) {
  const result = parseScenario(
    `id: ${id}
title: ${id}
statements: [ES-LIFE-2]
profile: core
features: [Lifecycle]
manifests:
  service: { apiVersion: v1, kind: Service, metadata: { name: web, namespace: "\${namespace}" } }
steps:
${steps}`,
    `${id}.yaml`,
  );
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.loaded;
}

const window =
  '  - expect: { condition: { serviceIngress: { service: web, assigned: false } }, throughout: negativeWindow }\n';
// Every scenario needs a step that checks something (the loader refuses one without).
const check = '  - wait: { condition: { serviceIngress: { service: web } }, timeout: ingress }\n';
const apply = `  - apply: [service]\n${check}`;
const label = `  - labelNode: { node: { index: 0 }, key: egress-conformance.io/a }\n${check}`;
const probe =
  '  - probe: { name: p, from: { pod: x }, to: { peer: default }, expect: { completes: true }, until: { timeout: convergence } }\n';

describe('the order tests start in', () => {
  const timeouts = resolveTimeouts({ negativeWindow: 4000 }, {}, {});
  const plan = (...specs: ReturnType<typeof scenario>[]) =>
    planRun(
      specs,
      { profile: 'core', runTests: [], skipTests: [], skipProvisional: false },
      testDescription({ families: ['ipv4'] }),
      'r1',
    );

  it('estimates a test from its negative windows and steps', () => {
    const [short, long, probing] = plan(
      scenario('short', apply),
      scenario('long', apply + window + window),
      scenario('probing', probe),
    );
    expect(estimatedDurationMs(short!, timeouts)).toBe(400);
    expect(estimatedDurationMs(long!, timeouts)).toBe(400 + 8000);
    // A probe repeated until it passes two rounds in a row costs at least two rounds.
    expect(estimatedDurationMs(probing!, timeouts)).toBe(2000);
  });

  it('starts the longest first and the lone tests last, in plan order among equals', () => {
    const planned = plan(
      scenario('a-short', apply),
      scenario('b-alone', label + window),
      scenario('c-long', apply + window + window),
      scenario('d-short', apply),
      scenario('e-alone', label),
      scenario('f-medium', window),
    );
    const order = executionOrder(planned, runsAlone, () => timeouts).map(
      (i) => planned[i]?.loaded.scenario.id,
    );
    expect(order).toEqual(['c-long', 'f-medium', 'a-short', 'd-short', 'b-alone', 'e-alone']);
  });
});
