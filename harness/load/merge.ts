/**
 * Exact merging of load results from several generator processes (Locust workers, several autocannon
 * instances). Each process reports its latency *distribution* as a histogram (value bucket -> count); the merged
 * distribution is the bucket-wise sum, and percentiles are read from that sum. Percentiles are never averaged:
 * the mean of two workers' p99 is not the p99 of their pooled requests (a slow worker with few requests moves it
 * far more than its share; see test/load/merge.test.ts for a case where it is off by over 10x).
 *
 * What stays valid once latencies are only known as a histogram:
 *   - counts (requests, failures) and rate (requests / window): exact, they are sums;
 *   - percentiles and max/min: exact up to the bucket resolution. The nearest-rank percentile of the merged
 *     histogram IS the bucket of the pooled requests' true percentile (bucketing is monotone), so it is off from
 *     the true value by at most half a bucket (Locust: 0.5 ms under 100 ms, 5 ms under 1 s, 50 ms above);
 *   - the mean, when each process also reports its exact sum of latencies (Locust's total_response_time does).
 * What becomes inconclusive:
 *   - a latency difference smaller than the bucket width at that value (e.g. p99 104 ms vs 108 ms: both are the
 *     110 ms bucket in Locust) — compare only when the buckets differ;
 *   - variance/standard deviation and anything resting on per-request samples (bootstrapped confidence
 *     intervals, coordinated-omission correction, which needs each request's send time): not derived here;
 *   - ordering in time within the run: a histogram has none (the per-second series is reported separately).
 */

/** A latency distribution: bucket value in ms -> number of requests in that bucket. */
export type Histogram = Map<number, number>;

/** Locust's rounding of a response time before it is counted (locust/stats.py: 2 significant-ish digits). */
export function locustBucket(ms: number): number {
  if (ms < 100) return Math.round(ms);
  if (ms < 1000) return Math.round(ms / 10) * 10;
  if (ms < 10_000) return Math.round(ms / 100) * 100;
  return Math.round(ms / 1000) * 1000;
}

/** Raw latencies into a histogram with the given bucketing (Locust's by default). */
export function histogramOf(latenciesMs: Iterable<number>, bucket: (ms: number) => number = locustBucket): Histogram {
  const h: Histogram = new Map();
  for (const ms of latenciesMs) {
    const b = bucket(ms);
    h.set(b, (h.get(b) ?? 0) + 1);
  }
  return h;
}

/** Locust's `response_times` (JSON keys are strings) as a histogram. */
export function histogramFromLocust(responseTimes: Record<string, number>): Histogram {
  const h: Histogram = new Map();
  for (const [key, count] of Object.entries(responseTimes)) {
    const value = Number(key);
    if (!Number.isFinite(value) || !(count > 0)) continue;
    h.set(value, (h.get(value) ?? 0) + count);
  }
  return h;
}

/** The bucket-wise sum: the distribution of all the processes' requests together. */
export function mergeHistograms(histograms: Iterable<Histogram>): Histogram {
  const merged: Histogram = new Map();
  for (const h of histograms) for (const [value, count] of h) merged.set(value, (merged.get(value) ?? 0) + count);
  return merged;
}

export function histogramCount(h: Histogram): number {
  let n = 0;
  for (const count of h.values()) n += count;
  return n;
}

/**
 * Nearest-rank percentile (q in 0..1): the smallest bucket value with at least ceil(q * N) requests at or below
 * it. NaN for an empty histogram.
 */
export function histogramPercentile(h: Histogram, q: number): number {
  const n = histogramCount(h);
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const value of [...h.keys()].sort((a, b) => a - b)) {
    seen += h.get(value)!;
    if (seen >= rank) return value;
  }
  return Math.max(...h.keys());
}

/** Nearest-rank percentile of raw samples: the pooled truth a merged histogram is checked against. */
export function samplePercentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** One generator process's share of a load, as it reported it. */
export interface ProcessLoad {
  /** Which process: a Locust worker id, an autocannon instance index. */
  name: string;
  requests: number;
  failures: number;
  histogram: Histogram;
  /** Exact sum of latencies in ms, when the generator reports it (Locust does): makes the mean exact too. */
  totalMs?: number;
}

export interface MergedLoad {
  requests: number;
  failures: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Exact when every process reported its sum; undefined otherwise (a mean from bucket values is not exact). */
  mean_ms?: number;
  histogram: Histogram;
}

/** Several processes' loads as one: counts summed, percentiles from the merged distribution. */
export function mergeLoads(loads: readonly ProcessLoad[]): MergedLoad {
  const histogram = mergeHistograms(loads.map((l) => l.histogram));
  const requests = loads.reduce((n, l) => n + l.requests, 0);
  const exactSum = loads.every((l) => l.totalMs !== undefined);
  const p = (q: number) => histogramPercentile(histogram, q);
  return {
    requests,
    failures: loads.reduce((n, l) => n + l.failures, 0),
    p50_ms: p(0.5),
    p90_ms: p(0.9),
    p99_ms: p(0.99),
    max_ms: histogram.size ? Math.max(...histogram.keys()) : Number.NaN,
    ...(exactSum && requests > 0 ? { mean_ms: loads.reduce((s, l) => s + l.totalMs!, 0) / requests } : {}),
    histogram,
  };
}
