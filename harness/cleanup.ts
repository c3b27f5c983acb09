/**
 * A stack of undo steps. Whatever a run creates (a process, a container, a temp dir) registers how to remove
 * it right after creating it; `close()` runs the steps newest first, keeps going when one fails, and
 * reports every failure at the end. This is what makes success, failure and Ctrl-C leave the same nothing behind.
 */
export class Cleanup {
  private steps: { what: string; undo: () => Promise<void> | void }[] = [];
  private closing: Promise<string[]> | undefined;

  add(what: string, undo: () => Promise<void> | void): void {
    if (this.closing) {
      // Created while we are already tearing down (a race with Ctrl-C): undo it at once.
      void Promise.resolve().then(undo).catch(() => undefined);
      return;
    }
    this.steps.push({ what, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Run every step (LIFO). Returns the failures as messages; never throws. Idempotent. */
  close(): Promise<string[]> {
    this.closing ??= (async () => {
      const failures: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.undo();
        } catch (error) {
          failures.push(`failed to ${step.what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return failures;
    })();
    return this.closing;
  }
}
