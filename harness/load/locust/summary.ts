/**
 * Locust workers' own records (holistic_locust.py) as one LoadResult: counts summed, percentiles read from the
 * merged histogram (merge.ts, never averaged), the per-second series summed by wall-clock second, and each
 * worker's share kept beside the merged load for the report. Pure.
 */
import { histogramFromLocust, mergeLoads, type ProcessLoad } from '../merge.js';
import type { LoadTimelinePoint } from '../responses.js';
import type { LoadResult, WorkerLoad } from '../types.js';

/** What a worker wrote when it quit. */
export interface WorkerRecord {
  name: string;
  pid: number;
  requests: number;
  failures: number;
  /** Failures with no HTTP answer (connection refused/reset, timeout). */
  errors: number;
  non2xx: number;
  total_ms: number;
  max_ms: number;
  /** Locust-rounded latency in ms (as a string key) -> count. */
  response_times: Record<string, number>;
  /** Unix second (string) -> requests completed in it. */
  per_second: Record<string, number>;
  non2xx_per_second: Record<string, number>;
  /** CPU seconds the worker used from the test's start to its stop (absent from records of older images). */
  cpu_s?: number;
}

export interface LocustRunInfo {
  url: string;
  users: number;
  durationS: number;
  rate?: number;
  /**
   * CPU seconds the master and workers used together, when read from outside (local processes); else the sum of
   * the workers' own records (pods in a cluster, whose processes holistic cannot see).
   */
  loadgenCpuS?: number;
  /** Log file per process name (master, worker-N). */
  logs: Record<string, string>;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function asProcessLoad(r: WorkerRecord): ProcessLoad {
  return { name: r.name, requests: r.requests, failures: r.failures, histogram: histogramFromLocust(r.response_times), totalMs: r.total_ms };
}

export function summarizeLocust(records: readonly WorkerRecord[], info: LocustRunInfo): LoadResult {
  const merged = mergeLoads(records.map(asProcessLoad));
  const workers: WorkerLoad[] = records.map((r) => {
    const one = mergeLoads([asProcessLoad(r)]);
    return {
      name: r.name, requests: r.requests, rps: round(r.requests / info.durationS, 2), p50_ms: one.p50_ms, p99_ms: one.p99_ms, errors: r.errors, non2xx: r.non2xx,
      ...(r.cpu_s !== undefined ? { cpu: round(r.cpu_s / info.durationS) } : {}),
      ...(info.logs[r.name] ? { log: info.logs[r.name] } : {}),
    };
  });
  const timeline = mergedTimeline(records);
  const recorded = records.length > 0 && records.every((r) => r.cpu_s !== undefined) ? records.reduce((s, r) => s + r.cpu_s!, 0) : undefined;
  const loadgenCpuS = info.loadgenCpuS ?? recorded;
  return {
    generator: 'locust',
    url: info.url,
    connections: info.users,
    duration_s: info.durationS,
    requests: merged.requests,
    rps: round(merged.requests / info.durationS, 2),
    p50_ms: merged.p50_ms,
    p90_ms: merged.p90_ms,
    p99_ms: merged.p99_ms,
    max_ms: round(Math.max(0, ...records.map((r) => r.max_ms)), 2),
    errors: records.reduce((n, r) => n + r.errors, 0),
    timeouts: 0,
    non2xx: records.reduce((n, r) => n + r.non2xx, 0),
    // Share of one core, as for autocannon; several processes can exceed 1.
    ...(loadgenCpuS !== undefined ? { loadgen_cpu: round(loadgenCpuS / info.durationS) } : {}),
    ...(info.rate ? { rate: info.rate } : {}),
    ...(timeline.length ? { timeline } : {}),
    workers,
  };
}

/** Requests per wall-clock second over all workers, from the first second any worker completed a request. */
export function mergedTimeline(records: readonly WorkerRecord[]): LoadTimelinePoint[] {
  const total = new Map<number, { requests: number; non2xx: number }>();
  for (const r of records) {
    for (const [s, n] of Object.entries(r.per_second)) {
      const e = total.get(Number(s)) ?? { requests: 0, non2xx: 0 };
      e.requests += n;
      e.non2xx += r.non2xx_per_second[s] ?? 0;
      total.set(Number(s), e);
    }
  }
  if (total.size === 0) return [];
  const first = Math.min(...total.keys());
  const last = Math.max(...total.keys());
  const out: LoadTimelinePoint[] = [];
  for (let s = first; s <= last; s++) {
    const e = total.get(s) ?? { requests: 0, non2xx: 0 };
    out.push({ t_s: s - first, span_s: 1, requests: e.requests, rps: e.requests, non2xx: e.non2xx });
  }
  return out;
}
