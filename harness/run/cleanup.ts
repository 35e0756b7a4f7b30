/**
 * What a test has changed, undone in reverse order whatever happens: objects applied, node
 * labels set, nodes failed. The namespace itself goes last.
 */

export interface UndoAction {
  description: string;
  run: () => Promise<void>;
}

export class CleanupStack {
  private readonly actions: UndoAction[] = [];

  push(description: string, run: () => Promise<void>): void {
    this.actions.push({ description, run });
  }

  /** Removes an action that is no longer needed (e.g. a node restored by the scenario itself). */
  drop(description: string): void {
    const index = this.actions.findLastIndex((a) => a.description === description);
    if (index >= 0) this.actions.splice(index, 1);
  }

  has(description: string): boolean {
    return this.actions.some((a) => a.description === description);
  }

  get size(): number {
    return this.actions.length;
  }

  /** Runs every action, newest first; failures are collected, never stop the rest. */
  async unwind(): Promise<string[]> {
    const errors: string[] = [];
    while (this.actions.length > 0) {
      const action = this.actions.pop() as UndoAction;
      try {
        await action.run();
      } catch (error) {
        errors.push(`${action.description}: ${(error as Error).message}`);
      }
    }
    return errors;
  }
}
