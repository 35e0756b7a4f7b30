/**
 * The ledger of what a run created in the cluster, recorded by the server's uid as it is created.
 * Cleanup and `down` delete only what the ledger holds, by name with the uid as a precondition
 * (`DeleteOptions.preconditions.uid`), never by a label selector: a label is something a spec or
 * a user can put anywhere, a uid is the one object the run made. A namespace is deleted only when
 * the ledger says the run created it.
 *
 * On disk (when the environment has a state dir) it is one JSON line per event, appended before
 * and after each creation, so that a run killed between the two still leaves a usable record:
 * `creating` (the name, before the call), `created` (with the uid), `deleted`.
 */
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterApi, ObjectRef } from '../env/environment.js';

export type LedgerOp = 'creating' | 'created' | 'deleted';

export interface LedgerEvent {
  op: LedgerOp;
  ref: ObjectRef;
  uid?: string;
  /** The test (its namespace) that made the object. */
  test: string;
  runId: string;
  at: string;
}

/** What the ledger knows of one object: its last state and uid. */
export interface LedgerRecord {
  ref: ObjectRef;
  state: LedgerOp;
  uid?: string;
  test: string;
  runId: string;
  /** When the run set out to create it (ISO time). */
  at: string;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

/** Folds events into records, in the order the objects were first recorded. */
export function foldLedger(events: LedgerEvent[]): LedgerRecord[] {
  const records = new Map<string, LedgerRecord>();
  for (const event of events) {
    const key = refKey(event.ref);
    const known = records.get(key);
    if (!known) {
      records.set(key, {
        ref: event.ref,
        state: event.op,
        ...(event.uid ? { uid: event.uid } : {}),
        test: event.test,
        runId: event.runId,
        at: event.at,
      });
      continue;
    }
    known.state = event.op;
    if (event.uid) known.uid = event.uid;
    if (event.op === 'creating') known.at = event.at;
  }
  return [...records.values()];
}

export class Ledger {
  private readonly events: LedgerEvent[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly runId: string,
    /** The file the events are appended to; undefined: in memory only (an environment torn down whole). */
    readonly file: string | undefined,
  ) {}

  /** A ledger for a run, appending to `<dir>/<runId>.jsonl` when a dir is given. */
  static async open(runId: string, dir?: string): Promise<Ledger> {
    if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
    return new Ledger(runId, dir ? join(dir, `${runId}.jsonl`) : undefined);
  }

  /** Records an event; resolves once it is on disk (events are written in order). */
  async record(op: LedgerOp, ref: ObjectRef, test: string, uid?: string): Promise<void> {
    const event: LedgerEvent = {
      op,
      ref,
      ...(uid ? { uid } : {}),
      test,
      runId: this.runId,
      at: new Date().toISOString(),
    };
    this.events.push(event);
    const file = this.file;
    if (!file) return;
    this.writing = this.writing.then(() => appendFile(file, `${JSON.stringify(event)}\n`, { mode: 0o600 }));
    await this.writing;
  }

  /** The record of one object, if this run recorded it. */
  lookup(ref: ObjectRef): LedgerRecord | undefined {
    const key = refKey(ref);
    return foldLedger(this.events.filter((e) => refKey(e.ref) === key))[0];
  }

  records(): LedgerRecord[] {
    return foldLedger(this.events);
  }

  /** Once everything it recorded is gone: the file goes too. */
  async closeIfEmpty(): Promise<void> {
    if (this.file && this.records().every((r) => r.state === 'deleted')) await rm(this.file, { force: true });
  }
}

/** Every ledger file left under a state dir (by runs that crashed or were killed), with its events. */
export async function readLedgers(dir: string): Promise<Array<{ file: string; events: LedgerEvent[] }>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const result: Array<{ file: string; events: LedgerEvent[] }> = [];
  for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8');
    const events: LedgerEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as LedgerEvent);
      } catch {
        // A line cut by a crash mid-write: the events before it still stand.
      }
    }
    result.push({ file, events });
  }
  return result;
}

/** Deletion order: what is inside namespaces first, newest first; the namespaces last. */
function removalOrder(records: LedgerRecord[]): LedgerRecord[] {
  const isNamespace = (r: LedgerRecord) => r.ref.kind === 'Namespace' && r.ref.apiVersion === 'v1';
  const reversed = [...records].reverse();
  return [...reversed.filter((r) => !isNamespace(r)), ...reversed.filter(isNamespace)];
}

/**
 * Removes what the ledgers under `dir` say runs created and did not delete (`down` after a crash
 * or a kill): each object by name with its uid as the precondition, so an object of that name that
 * is not the one created (a user's, made since) stays. An object recorded only as `creating` (the
 * run died during the call) is deleted if it exists, carries that run's label and was created
 * after the record; its uid is then the precondition. A ledger whose objects are all gone is
 * removed. Returns what was deleted, as `Kind namespace/name`.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: removal by uid precondition with each failure kind kept apart; the safety rules read best in one place
export async function removeLedgered(
  cluster: Pick<ClusterApi, 'get' | 'delete'>,
  dir: string,
  options: { runLabel: string; warn: (line: string) => void },
): Promise<string[]> {
  const removed: string[] = [];
  for (const { file, events } of await readLedgers(dir)) {
    let left = 0;
    for (const record of removalOrder(foldLedger(events))) {
      if (record.state === 'deleted') continue;
      const shown = `${record.ref.kind} ${record.ref.namespace ? `${record.ref.namespace}/` : ''}${record.ref.name}`;
      try {
        let uid = record.uid;
        if (uid === undefined) {
          const current = await cluster.get(record.ref);
          const labels = current?.metadata.labels ?? {};
          const created = Date.parse(String(current?.metadata.creationTimestamp ?? ''));
          const ours =
            current !== undefined &&
            labels[options.runLabel] === record.runId &&
            !(created < Date.parse(record.at) - 1000);
          if (!ours || typeof current?.metadata.uid !== 'string') continue;
          uid = current.metadata.uid;
        }
        await cluster.delete(record.ref, { uid });
        const now = await cluster.get(record.ref);
        if (now !== undefined && now.metadata.uid !== uid) {
          options.warn(`${shown} is another object than the one the run created (uid differs): left alone`);
          continue;
        }
        removed.push(shown);
      } catch (error) {
        left++;
        options.warn(`could not delete ${shown}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    if (left === 0) await rm(file, { force: true });
  }
  return removed;
}
