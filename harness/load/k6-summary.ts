/**
 * k6's end-of-test summary, the `data` argument of a script's handleSummary(data) (k6 docs, "End-of-test
 * summary" → "Summary data"), as the local types this harness reads, and its mapping to LoadResult.
 * Durations are in milliseconds; which trend stats exist depends on --summary-trend-stats (the harness asks
 * for med, p(90), p(99) and max).
 */
import type { LoadResult } from './types.js';

interface K6Metric<T extends string, V> {
  type: T;
  contains?: 'default' | 'time' | 'data';
  values: V;
}

export interface K6SummaryData {
  metrics: {
    http_reqs?: K6Metric<'counter', { count: number; rate: number }>;
    http_req_duration?: K6Metric<'trend', Record<string, number>>;
    /** A rate: `passes` counts failed requests (network errors and statuses outside the expected 200-399). */
    http_req_failed?: K6Metric<'rate', { rate: number; passes: number; fails: number }>;
    vus_max?: K6Metric<'gauge', { value: number; min?: number; max?: number }>;
    [name: string]: K6Metric<string, Record<string, number>> | undefined;
  };
  state: { testRunDurationMs: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  options?: { summaryTrendStats?: string[]; summaryTimeUnit?: string };
  root_group?: unknown;
}

export function summarizeK6(data: K6SummaryData, options: { url: string; connections: number }, source = 'k6 summary'): LoadResult {
  const reqs = data.metrics.http_reqs?.values;
  const duration = data.metrics.http_req_duration?.values;
  if (!reqs || !duration) throw new Error(`${source}: no http_reqs/http_req_duration metrics (did the script make HTTP requests?)`);
  const trend = (key: string): number => {
    const value = duration[key];
    if (typeof value !== 'number') {
      throw new Error(`${source}: http_req_duration has no "${key}" (run k6 with --summary-trend-stats including it)`);
    }
    return round(value, 3);
  };
  const failed = data.metrics.http_req_failed?.values.passes ?? 0;
  return {
    generator: 'k6',
    url: options.url,
    connections: data.metrics.vus_max?.values.value ?? options.connections,
    duration_s: round(data.state.testRunDurationMs / 1000, 3),
    requests: reqs.count,
    rps: round(reqs.rate, 2),
    p50_ms: trend('med'),
    p90_ms: trend('p(90)'),
    p99_ms: trend('p(99)'),
    max_ms: trend('max'),
    // k6's summary cannot tell a refused connection from a 500: both are http_req_failed.
    errors: failed,
    timeouts: 0,
    non2xx: 0,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
