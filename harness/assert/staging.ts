/**
 * "Nothing left behind in the app's filesystem": what a tool staged into the target (an agent library, its
 * output, the JVM's attach socket) must be gone after it detached, and the app's /tmp must read as before.
 */
import type { Verdict } from './verdict.js';

export function checkNothingStaged(tool: string, capture: { leftovers: string[]; tmpBefore?: string[]; tmpAfter?: string[] }): Verdict {
  const before = new Set(capture.tmpBefore ?? []);
  const added = capture.tmpAfter ? capture.tmpAfter.filter((f) => !before.has(f)) : [];
  const unknown = capture.tmpBefore === undefined || capture.tmpAfter === undefined;
  const pass = capture.leftovers.length === 0 && added.length === 0 && !unknown;
  return {
    name: `nothing staged left by ${tool}`,
    pass,
    expected: "every staged file removed; the app's /tmp as before the attach",
    actual: unknown
      ? "the app's /tmp could not be listed before and after"
      : pass
        ? `removed; /tmp back to ${capture.tmpAfter!.length} entries`
        : `left: ${[...capture.leftovers, ...added.map((f) => `/tmp/${f}`)].join(', ')}`,
  };
}
