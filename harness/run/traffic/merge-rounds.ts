/**
 * One capture per probe step: a probe that repeats (`until`) captures each round into its own
 * file; at the end the rounds of each family are merged, in time order, into one file with
 * Wireshark's `mergecap`, so the evidence covers the whole window, not only the last round. The
 * round files are removed once merged; without mergecap they stay as they are.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { ProbeEvidenceRecord } from '../results.js';
import type { StepRun } from '../step-run.js';

/** The merged file's name: the round file's, without the round numbers. */
function mergedName(capture: string): string {
  return basename(capture).replace(/(-\d+)+\.pcap$/, '-all-rounds.pcap');
}

/**
 * Merges each family's round captures into one file and points every record at it (their
 * `capture`, and the paths in their messages). Returns how to say the same of any other text that
 * names a round's file (the step's detail).
 */
export async function mergeRoundCaptures(
  run: StepRun,
  records: ProbeEvidenceRecord[],
): Promise<(text: string) => string> {
  const renames: Array<[string, string]> = [];
  const byFamily = new Map<string, ProbeEvidenceRecord[]>();
  for (const record of records) {
    const key = `${record.probe}/${record.family ?? ''}`;
    byFamily.set(key, [...(byFamily.get(key) ?? []), record]);
  }
  for (const rounds of byFamily.values()) {
    const files = [...new Set(rounds.map((r) => basename(r.capture)))];
    if (files.length < 2) continue;
    const merged = mergedName(files.at(-1) as string);
    const inputs = files.map((f) => join(run.artifactDir, f));
    const result = await execa('mergecap', ['-F', 'pcap', '-w', join(run.artifactDir, merged), ...inputs], {
      reject: false,
    }).catch(() => undefined);
    if (result?.exitCode !== 0) continue;
    const relative = join(run.artifactPath, merged);
    files.forEach((file, i) => {
      // A verdict's text names its round's file: name the merged file and the round instead.
      const said = `${relative} (round ${i + 1} of ${files.length})`;
      renames.push([join(run.artifactDir, file), said], [join(run.artifactPath, file), said]);
    });
    for (const record of rounds) record.capture = relative;
    await Promise.all(inputs.map((file) => rm(file, { force: true })));
  }
  const rename = (text: string) => renames.reduce((t, [from, to]) => t.split(from).join(to), text);
  for (const record of records) record.message = rename(record.message);
  return rename;
}
