/**
 * A provider's section of the options file (`kind:`, `existing:`), parsed by its schema into one
 * line a user can act on: every problem names the field as written (`kind.gatewayMode`) and
 * what was expected — the allowed values, the type, the known fields for an unknown one.
 */
import type { z } from 'zod';
import { UsageError } from '../../common/errors.js';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** What a value is, said briefly: `the string "3"`, `a list`, `nothing`. */
function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** The schema node at a path, looking through defaults, optionals and lists. */
function schemaAt(schema: z.ZodType, path: readonly PathKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  const unwrap = (n: z.ZodType): z.ZodType => {
    const def = n._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe' && def.in) return unwrap(def.in);
    return n;
  };
  for (const key of path) {
    if (!node) return undefined;
    const def = unwrap(node)._zod.def as {
      type: string;
      shape?: Record<string, z.ZodType>;
      element?: z.ZodType;
    };
    if (def.type === 'object' && def.shape && typeof key === 'string') node = def.shape[key];
    else if (def.type === 'array' && def.element) node = def.element;
    else return undefined;
  }
  return node ? unwrap(node) : undefined;
}

function fieldName(section: string, path: readonly PathKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : `${name}.${String(key)}`),
    section,
  );
}

function describeIssue(schema: z.ZodType, section: string, issue: Issue): string[] {
  const field = fieldName(section, issue.path);
  const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const def = schemaAt(schema, issue.path)?._zod.def as { shape?: Record<string, unknown> } | undefined;
      const known = def?.shape ? `; expected one of ${Object.keys(def.shape).join(', ')}` : '';
      return issue.keys.map((key) => `${fieldName(section, [...issue.path, key])}: unknown field${known}`);
    }
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if ('input' in issue && issue.input === undefined) return [`${field}: missing; expected ${expected}`];
      return [`${field}: expected ${expected}${got}`];
    }
    case 'invalid_value':
      return [`${field}: expected one of ${issue.values.map((v) => String(v)).join(', ')}${got}`];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const relation = issue.code === 'too_small' ? 'at least' : 'at most';
      const plural = Number(bound) === 1 ? '' : 's';
      const what =
        issue.origin === 'array'
          ? ` entr${plural ? 'ies' : 'y'}`
          : issue.origin === 'string'
            ? ` character${plural}`
            : '';
      return [`${field}: expected ${relation} ${String(bound)}${what}${got}`];
    }
    case 'invalid_format':
      // The schemas word each format as what is expected ("an IPv4 /24 such as 10.212.0.0/24").
      return [`${field}: expected ${issue.message}${got}`];
    default:
      // Custom checks say the whole rule ("required in container mode: ...").
      return [`${field}: ${issue.message}`];
  }
}

/** Parses a provider's settings; throws a one-line UsageError (exit 2) naming every bad field. */
export function parseSettingsSection<S extends z.ZodType>(
  schema: S,
  section: string,
  raw: Record<string, unknown> | undefined,
): z.output<S> {
  const result = schema.safeParse(raw ?? {}, { reportInput: true });
  if (result.success) return result.data;
  // In the order of the fields' names, so that the line reads the same however zod ordered it.
  const problems = result.error.issues
    .flatMap((issue) => describeIssue(schema, section, issue))
    .sort((a, b) => a.split(':')[0]!.localeCompare(b.split(':')[0]!));
  throw new UsageError(problems.join('; '));
}
