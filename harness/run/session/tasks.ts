/**
 * Ordered tasks, each with its own teardown, as Playwright's task runner has them
 * (packages/playwright/src/runner/taskRunner.ts, read at d4e1023f6c): the setups run in order
 * until one fails or the run is interrupted; then the teardowns of every task whose setup began
 * run newest first, whatever happened, so that what a task made is undone by the task that made it.
 */

export interface Task<C> {
  readonly title: string;
  /** Throws to stop the run; the tasks after it do not start. */
  setup?(context: C): Promise<void>;
  /** Runs when `setup` began, even when it threw or the run was interrupted. */
  teardown?(context: C): Promise<void>;
}

export type TaskStatus = 'passed' | 'failed' | 'interrupted';

export interface TaskOutcome {
  status: TaskStatus;
  /** The task whose setup failed (or was running when the run was interrupted). */
  stoppedAt?: string;
  /** What the failed setup threw. */
  error?: unknown;
  /** Teardowns that threw, by title: they do not stop the other teardowns. */
  teardownErrors: Array<{ title: string; error: unknown }>;
}

export async function runTasks<C>(
  tasks: readonly Task<C>[],
  context: C,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const begun: Task<C>[] = [];
  const outcome: TaskOutcome = { status: 'passed', teardownErrors: [] };
  for (const task of tasks) {
    if (signal.aborted) {
      outcome.status = 'interrupted';
      outcome.stoppedAt ??= task.title;
      break;
    }
    begun.push(task);
    try {
      await task.setup?.(context);
    } catch (error) {
      outcome.status = signal.aborted ? 'interrupted' : 'failed';
      outcome.stoppedAt = task.title;
      outcome.error = error;
      break;
    }
  }
  if (outcome.status === 'passed' && signal.aborted) outcome.status = 'interrupted';
  for (const task of begun.reverse()) {
    try {
      await task.teardown?.(context);
    } catch (error) {
      outcome.teardownErrors.push({ title: task.title, error });
    }
  }
  return outcome;
}
