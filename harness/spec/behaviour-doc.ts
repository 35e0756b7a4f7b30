/**
 * docs/behaviour.md, rendered from the statement catalogue (statements.ts) and the scenarios that
 * name each statement, so that the document and the code cannot drift apart: a test compares the
 * file with this rendering, and `npm run docs:behaviour` rewrites it.
 */
import { dirname, relative, resolve } from 'node:path';
import { DEFAULT_SUITES_DIR } from './catalogue.js';
import type { LoadedScenario } from './loader.js';
import {
  CORE_FEATURES,
  CORE_PROFILE,
  EXTENDED_FEATURES,
  type Feature,
  STATEMENTS,
  type Statement,
} from './statements.js';

export const BEHAVIOUR_DOC = 'docs/behaviour.md';

const INTRO = `Source material: the OpenShift documentation section "Configuring an egress service"
(EgressService, \`k8s.ovn.org/v1\`, a Technology Preview feature of OVN-Kubernetes), the
OVN-Kubernetes EgressService CRD and its upstream e2e tests, and MetalLB's BGP documentation.
This page states the behaviour in testable form. Each statement has an ID; every scenario in
\`suites/\` names the IDs it checks, and each statement below lists the scenarios that check it
(\`egress-conformance list\` shows the same). A statement no scenario covers is a gap in the
suite, marked *not yet covered*.`;

const OBJECTS = `- \`EgressService\` (namespaced) — \`metadata.name\`/\`namespace\` MUST equal those of the
  LoadBalancer \`Service\` it modifies. \`spec.sourceIPBy\`: \`LoadBalancerIP\` (also the behaviour
  when omitted) or \`Network\`. \`spec.nodeSelector\`: a label selector (matchLabels /
  matchExpressions), meaningful with \`LoadBalancerIP\`. \`spec.network\`: a routing-table id or name
  on the nodes; when absent, the node's default (main) routing is used. \`status.host\`: the
  chosen node's name, \`""\` (none) or \`"ALL"\` (with \`Network\`).
- The chosen node carries the label \`egress-service.k8s.ovn.org/<svc-namespace>-<svc-name>: ""\`.
- MetalLB gives the Service its ingress IP from an \`IPAddressPool\` (selected with the Service
  annotation \`metallb.io/address-pool\`, or the older \`metallb.universe.tf/address-pool\` the
  OpenShift docs use) and announces it over BGP to \`BGPPeer\`s. A \`BGPAdvertisement\` whose
  \`nodeSelectors\` match the egress-service label makes only the chosen node announce the IP,
  which is what makes replies to the pods' SNATed traffic come back through that node.`;

const EVIDENCE = `Source addresses are judged from packets captured on the external peer (tcpdump in the peer's
network namespace), every packet of the probe flow, not a sample and not only an application's
echo of the client address (which the suite may record too, as a second witness). A verdict
names the packets: how many matched, which did not, with their source, destination, ports and
capture file.`;

/** Wraps a paragraph at `width` columns (Markdown joins the lines again). */
function wrap(text: string, width = 100, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width - indent.length) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

const code = (text: string) => `\`${text}\``;

function statementsOf(feature: Feature): Statement[] {
  return STATEMENTS.filter((s) => s.feature === feature);
}

function featureList(features: readonly Feature[]): string {
  return features
    .map((feature) => {
      const statements = statementsOf(feature);
      const provisional = statements.length > 0 && statements.every((s) => s.provisional);
      return `${code(feature)}${provisional ? ' (provisional)' : ''}`;
    })
    .join(', ');
}

/** Where a scenario's file is, relative to docs/. */
function linkTo(loaded: LoadedScenario): string {
  const repository = dirname(DEFAULT_SUITES_DIR);
  const path = relative(repository, resolve(loaded.file)).split('\\').join('/');
  return `[${code(loaded.scenario.id)}](../${path})`;
}

function statementSection(statement: Statement, scenarios: LoadedScenario[]): string[] {
  const checking = scenarios
    .filter((s) => s.scenario.statements.includes(statement.id))
    .sort((a, b) => a.scenario.id.localeCompare(b.scenario.id));
  const facts = `Feature ${code(statement.feature)}, profile ${statement.profile}${statement.provisional ? ', provisional (measured and reported, never counted)' : ''}.`;
  const checks =
    checking.length === 0
      ? ['Checked by: *not yet covered* by a scenario.']
      : ['Checked by:', '', ...checking.map((s) => `- ${linkTo(s)}: ${s.scenario.title}`)];
  return [`#### ${statement.id}`, '', wrap(statement.text), '', facts, '', ...checks, ''];
}

function indexTable(scenarios: LoadedScenario[]): string[] {
  const rows = STATEMENTS.map((s) => {
    const count = scenarios.filter((l) => l.scenario.statements.includes(s.id)).length;
    const covered = count === 0 ? '*not yet covered*' : String(count);
    return `| [${s.id}](#${s.id.toLowerCase()}) | ${s.profile} | ${code(s.feature)} | ${s.summary} | ${covered} |`;
  });
  return [
    '| statement | profile | feature | in short | scenarios |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The whole of docs/behaviour.md for these scenarios (the shipped catalogue). */
export function renderBehaviourDoc(scenarios: LoadedScenario[]): string {
  const core = STATEMENTS.filter((s) => s.profile === 'core');
  const extended = STATEMENTS.filter((s) => s.profile === 'extended');
  const lines = [
    '<!-- Generated from harness/spec/statements.ts and the specs in suites/ by `npm run docs:behaviour`;',
    '     edit those, not this file: a test fails when it is out of date. -->',
    '',
    '# EgressService: the behaviour this suite certifies',
    '',
    INTRO,
    '',
    '## The objects',
    '',
    OBJECTS,
    '',
    '## Profiles and features',
    '',
    wrap(
      `Core profile ${code(CORE_PROFILE)} (every conforming implementation): features ${featureList(CORE_FEATURES)}. ` +
        `Extended features, each declared or inferred per run: ${featureList(EXTENDED_FEATURES)}. ` +
        'A scenario runs once per IP family the environment offers.',
    ),
    '',
    '## Statements',
    '',
    ...indexTable(scenarios),
    '',
    `### Core: ${featureList(CORE_FEATURES)}`,
    '',
    ...core.flatMap((s) => statementSection(s, scenarios)),
    '### Extended',
    '',
    ...extended.flatMap((s) => statementSection(s, scenarios)),
    '## What the evidence must be',
    '',
    EVIDENCE,
    '',
  ];
  return lines.join('\n');
}
