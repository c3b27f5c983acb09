/**
 * What a force quit (a second Ctrl-C) must still do before the process exits: kill the run's local process
 * groups and remove its containers, synchronously, because nothing asynchronous runs after `process.exit`.
 * Everything else a run created carries its owner (owner.ts) and is removed by the next run or `holistic down`.
 * Creators register an action when they create a resource and unregister it once the resource is gone.
 */
const actions = new Map<number, () => void>();
let nextId = 0;

/** Register a synchronous last-resort undo; returns the function that unregisters it. */
export function onForceQuit(action: () => void): () => void {
  const id = nextId++;
  actions.set(id, action);
  return () => actions.delete(id);
}

/** Run every registered action, newest first, ignoring failures. Synchronous on purpose. */
export function forceQuit(): void {
  for (const id of [...actions.keys()].reverse()) {
    try {
      actions.get(id)?.();
    } catch {
      // best effort: the next run or `holistic down` removes what this could not
    }
    actions.delete(id);
  }
}
