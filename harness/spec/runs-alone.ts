/**
 * Whether a scenario's test must run alone: one of its steps changes what every test shares, or
 * one of its manifests takes a node-wide resource. Both come from the registries (the steps'
 * `runsAlone` property, the manifest facts), never from a scenario's text.
 */
import { MANIFEST_FACTS } from './manifest-facts.js';
import type { Scenario } from './schema.js';
import { whyStepRunsAlone } from './steps/index.js';

/** Why a test of this scenario runs alone, naming the step or manifest; undefined if it need not. */
export function whyRunsAlone(scenario: Pick<Scenario, 'steps' | 'manifests'>): string | undefined {
  for (const [index, step] of scenario.steps.entries()) {
    const why = whyStepRunsAlone(step);
    if (why) return `step ${index + 1} (${step.kind}): ${why}`;
  }
  for (const [name, manifest] of Object.entries(scenario.manifests)) {
    const fact = MANIFEST_FACTS.find((f) => f.runsAlone && f.holds(manifest));
    if (fact) return `manifest ${name}: ${fact.runsAlone}`;
  }
  return undefined;
}
