import type { LoadResult } from '../load/types.js';
import type { Verdict } from './verdict.js';

/**
 * The generator's request count (for Locust: the exact merge of its workers') equals what the app itself counted
 * as served, within the requests in flight at the window's edges (ServedCount.tolerance: one per user).
 */
export function checkServedCount(load: LoadResult | null | undefined): Verdict {
  const name = 'request count matches the app';
  if (!load?.served) return { name, pass: true, expected: 'the app counts the requests it served', actual: 'the app exposes no served counter (AppSpec.servedPath): not judged' };
  const { app, generator, tolerance } = load.served;
  return {
    name,
    pass: generator > 0 && Math.abs(app - generator) <= tolerance,
    expected: `the app's count within ${tolerance} (requests in flight at the window's edges) of the generator's`,
    actual: `app served ${app}, ${load.generator} counted ${generator} (difference ${app - generator})`,
  };
}
