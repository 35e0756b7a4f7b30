/**
 * Kubernetes label selectors (matchLabels and matchExpressions), as MetalLB and OVN-Kubernetes
 * read them: k8s.io/apimachinery's `LabelSelectorAsSelector` then `Selector.Matches`.
 *
 * - Absent, or empty (no matchLabels, no matchExpressions): every node matches. (EgressService's
 *   `spec.nodeSelector` is not a pointer, so absent is the empty selector.)
 * - Every requirement must hold (AND): each matchLabels entry `key: value` (the label exists and
 *   equals value; `""` is a value), and each matchExpressions entry:
 *   `In` (the label exists and its value is one of `values`), `NotIn` (the label is absent, or
 *   its value is none of `values`), `Exists` (the label exists, whatever its value, `""`
 *   included), `DoesNotExist` (it does not).
 * - Invalid, and then matching nothing: any other operator, `In`/`NotIn` without values,
 *   `Exists`/`DoesNotExist` with values. `LabelSelectorAsSelector` returns an error for these;
 *   the controllers then select no node.
 *
 * `evaluation` lets the reference evaluate a selector the way a faulty implementation would
 * (behaviour.ts, `placement.selectorEvaluation`); MetalLB's selectors are always evaluated right.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

/**
 * How an implementation evaluates a selector: as Kubernetes does, or with one of the mistakes a
 * hand-written evaluator makes (the lab's selector faults).
 */
export type SelectorEvaluation =
  | 'kubernetes'
  /** matchExpressions are ignored; matchLabels alone decide. */
  | 'match-labels-only'
  /** When matchExpressions are present, matchLabels are ignored. */
  | 'expressions-replace-labels'
  /** A node matching any one requirement matches (OR instead of AND). */
  | 'any-requirement'
  /** `NotIn` needs the label to exist (Kubernetes: a node without it matches). */
  | 'not-in-needs-key'
  /** `Exists`/`DoesNotExist` test the value: a label whose value is `""` counts as absent. */
  | 'empty-value-is-absent';

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
  /** From matchLabels (an equality) rather than matchExpressions. */
  fromLabels: boolean;
}

const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * A label name or value part: alphanumerics, `-`, `_`, `.`, alphanumeric at both ends. Kubernetes
 * also caps it at 63 characters; the lab does not, because the egress-service label of a test
 * namespace (`egress-service.k8s.ovn.org/<namespace>-web`) is longer than that for the scenarios
 * with long ids, and the BGPAdvertisements select it (on a real cluster such a key cannot be a
 * node label at all: the kind and existing providers need shorter namespaces for those).
 */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A DNS-1123 subdomain, the optional prefix of a label key. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is not a qualified name (apimachinery's IsQualifiedName), or undefined. */
function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || name === undefined || !LABEL_NAME.test(name))
    return `key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `key "${key}": prefix part must be a DNS-1123 subdomain`;
  return undefined;
}

/** Why a label value is invalid (apimachinery's IsValidLabelValue), or undefined. */
function labelValueProblem(value: string): string | undefined {
  return value === '' || LABEL_NAME.test(value)
    ? undefined
    : `value "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
}

/** The selector's requirements, or why it is invalid (as LabelSelectorAsSelector would refuse it). */
export function selectorRequirements(
  selector: LabelSelector,
): { requirements: Requirement[] } | { invalid: string } {
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: 'In',
    values: [String(value)],
    fromLabels: true,
  }));
  // LabelSelectorAsSelector refuses keys and values that are not valid label syntax.
  for (const { key, values } of requirements) {
    const invalid = labelKeyProblem(key) ?? labelValueProblem(values[0] ?? '');
    if (invalid) return { invalid: `matchLabels: ${invalid}` };
  }
  for (const [index, expression] of (selector.matchExpressions ?? []).entries()) {
    const { key, operator } = expression;
    const values = expression.values ?? [];
    const at = `matchExpressions[${index}]`;
    const invalid = labelKeyProblem(key) ?? values.map(labelValueProblem).find((p) => p !== undefined);
    if (invalid) return { invalid: `${at}: ${invalid}` };
    if (!OPERATORS.includes(operator)) {
      return { invalid: `${at}: "${operator}" is not a valid label selector operator` };
    }
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      return { invalid: `${at}: for 'In', 'NotIn' operators, values set can't be empty` };
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      return { invalid: `${at}: values set must be empty for exists and does not exist` };
    }
    requirements.push({ key, operator: operator as Operator, values, fromLabels: false });
  }
  return { requirements };
}

/** Why the selector is invalid (no node matches it), or undefined for a valid one. */
export function selectorProblem(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return undefined;
  const parsed = selectorRequirements(selector);
  return 'invalid' in parsed ? parsed.invalid : undefined;
}

function requirementHolds(
  requirement: Requirement,
  labels: Record<string, string>,
  evaluation: SelectorEvaluation,
): boolean {
  const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
  const has = evaluation === 'empty-value-is-absent' ? !!value : value !== undefined;
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      if (value === undefined) return evaluation !== 'not-in-needs-key';
      return !requirement.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** True when the labels satisfy the selector; an absent or empty selector matches everything. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
  evaluation: SelectorEvaluation = 'kubernetes',
): boolean {
  if (!selector) return true;
  const parsed = selectorRequirements(selector);
  if ('invalid' in parsed) return false;
  let requirements = parsed.requirements;
  if (evaluation === 'match-labels-only') requirements = requirements.filter((r) => r.fromLabels);
  if (evaluation === 'expressions-replace-labels' && requirements.some((r) => !r.fromLabels)) {
    requirements = requirements.filter((r) => !r.fromLabels);
  }
  if (requirements.length === 0) return true;
  const holds = (r: Requirement) => requirementHolds(r, labels, evaluation);
  return evaluation === 'any-requirement' ? requirements.some(holds) : requirements.every(holds);
}
