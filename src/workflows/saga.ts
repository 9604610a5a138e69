import { log } from '@temporalio/workflow';

/**
 * An explicit undo stack: each forward step that succeeded pushes its compensation, and on failure they run
 * newest first. A failing compensation is logged and skipped so the others still run; compensating
 * activities are idempotent because they are retried.
 */
export class Compensations {
  private readonly stack: { name: string; undo: () => Promise<void> }[] = [];

  add(name: string, undo: () => Promise<void>): void {
    this.stack.unshift({ name, undo });
  }

  get size(): number {
    return this.stack.length;
  }

  /** Runs and empties the stack; returns the names of the compensations that failed. */
  async run(onCompensated?: (name: string) => void): Promise<string[]> {
    const failed: string[] = [];
    while (this.stack.length > 0) {
      const { name, undo } = this.stack.shift()!;
      try {
        await undo();
        onCompensated?.(name);
      } catch (error) {
        log.warn('compensation failed', { compensation: name, error: error instanceof Error ? error.message : String(error) });
        failed.push(name);
      }
    }
    return failed;
  }
}
