/**
 * The triage of surviving mutants (scripts/mutation/triage.yaml), checked in: each survivor is
 * either equivalent (no behaviour seen from outside the cluster changes: logging, dead code, a
 * value nothing reads), with the reason, or a gap of the suite (a statement or scenario should
 * catch it), with what is missing. Entries are found by the mutant's stable key.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

export const TRIAGE_FILE = 'scripts/mutation/triage.yaml';

const entry = z.strictObject({
  key: z.string().min(1),
  verdict: z.enum(['equivalent', 'gap']),
  reason: z.string().min(10),
});
const triageSchema = z.array(entry);

export type TriageEntry = z.infer<typeof entry>;

/** The entries by key; a malformed file is an error naming the file and the entry. */
export async function loadTriage(path: string): Promise<Map<string, TriageEntry>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Map();
  }
  const parsed = triageSchema.safeParse(parse(text) ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: entry ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const byKey = new Map<string, TriageEntry>();
  for (const e of parsed.data) {
    if (byKey.has(e.key)) throw new Error(`${path}: key ${e.key} is listed twice`);
    byKey.set(e.key, e);
  }
  return byKey;
}
