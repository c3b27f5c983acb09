import type { LoadResult } from '../load/types.js';
import { percent, type Verdict } from './verdict.js';

/** Every request got a 2xx answer (no connection errors, timeouts or error statuses). */
/**
 * `load` null: no load was applied (an existing workload observed with --no-load): nothing to judge, and the
 * verdict says so rather than failing on requests nobody sent.
 */
export function checkNoLoadErrors(load: LoadResult | null | undefined): Verdict {
  if (!load) return { name: 'load without errors', pass: true, expected: 'at least one request; 0 errors', actual: 'no load was applied (--no-load): not judged' };
  const bad = load.errors + load.non2xx;
  return {
    name: 'load without errors',
    pass: bad === 0 && load.requests > 0,
    expected: 'at least one request; 0 errors, 0 timeouts, 0 non-2xx',
    actual: `${load.requests} requests; ${load.errors} errors (${load.timeouts} timeouts), ${load.non2xx} non-2xx` +
      (load.requests > 0 ? ` (${percent(bad / load.requests)} bad)` : ''),
  };
}

export function checkLatency(load: LoadResult, limits: { p50?: number; p90?: number; p99?: number }): Verdict {
  const parts: string[] = [];
  let pass = true;
  for (const key of ['p50', 'p90', 'p99'] as const) {
    const limit = limits[key];
    if (limit === undefined) continue;
    parts.push(`${key} <= ${limit} ms`);
    pass &&= load[`${key}_ms`] <= limit;
  }
  return {
    name: 'latency',
    pass,
    expected: parts.join(', '),
    actual: `p50 ${load.p50_ms} ms, p90 ${load.p90_ms} ms, p99 ${load.p99_ms} ms`,
  };
}
