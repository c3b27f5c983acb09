/**
 * The app's own count of the requests it served (AppSpec.servedPath, JSON `{ "<path>": count }`), read just
 * before the load starts and just after the generator stopped: the difference on the load's paths is what the
 * app answered in the window, to check the generator's (merged) count against. An app without the endpoint, or
 * an image built before it existed (404), gives undefined: nothing is claimed.
 */
export type ServedSnapshot = Record<string, number>;

export async function readServed(url: string, signal?: AbortSignal): Promise<ServedSnapshot | undefined> {
  try {
    const timeout = AbortSignal.timeout(10_000);
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!response.ok) return undefined;
    const body = (await response.json()) as unknown;
    if (!body || typeof body !== 'object') return undefined;
    return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'number')) as ServedSnapshot;
  } catch {
    signal?.throwIfAborted();
    return undefined;
  }
}

/** Requests served on these paths (query strings ignored, as the app counts by path) between two snapshots. */
export function servedBetween(before: ServedSnapshot, after: ServedSnapshot, paths: readonly string[]): number {
  const keys = new Set(paths.map((p) => p.split('?', 1)[0]!));
  let n = 0;
  for (const key of keys) n += (after[key] ?? 0) - (before[key] ?? 0);
  return n;
}
