/**
 * Merging per-worker latency distributions: the merged percentiles must be the pooled requests' true percentiles
 * (to the bucket), which averaging the workers' percentiles is not.
 */
import { describe, expect, test } from 'vitest';
import { seededRandom } from '../../harness/stats/bootstrap.ts';
import {
  histogramFromLocust,
  histogramOf,
  histogramPercentile,
  locustBucket,
  mergeLoads,
  samplePercentile,
  type ProcessLoad,
} from '../../harness/load/merge.ts';

/** A worker's raw latencies: `fast` requests around `fastMs` and `slow` ones around `slowMs`, seeded. */
function worker(seed: number, fast: number, fastMs: number, slow: number, slowMs: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < fast; i++) out.push(fastMs * (0.5 + random()));
  for (let i = 0; i < slow; i++) out.push(slowMs * (0.5 + random()));
  return out;
}

const asLoad = (name: string, samples: number[]): ProcessLoad => ({
  name,
  requests: samples.length,
  failures: 0,
  histogram: histogramOf(samples),
  totalMs: samples.reduce((s, x) => s + x, 0),
});

describe('merging per-worker latency histograms', () => {
  // Worker a is busy and fast; worker b saw few requests, 5% of them very slow (a hot shard, a bad node).
  const a = worker(1, 9_000, 12, 0, 0);
  const b = worker(2, 950, 12, 50, 2_000);
  const pooled = [...a, ...b];
  const merged = mergeLoads([asLoad('a', a), asLoad('b', b)]);

  test('counts and the mean are exact sums', () => {
    expect(merged.requests).toBe(10_000);
    expect(merged.mean_ms).toBeCloseTo(pooled.reduce((s, x) => s + x, 0) / pooled.length, 9);
  });

  test.each([0.5, 0.9, 0.99, 0.999])('p%s is the bucket of the pooled truth', (q) => {
    const truth = samplePercentile(pooled, q);
    expect(histogramPercentile(merged.histogram, q)).toBe(locustBucket(truth));
    // Within half a bucket of the true value: Locust buckets are 1 ms / 10 ms / 100 ms wide by magnitude.
    const halfBucket = truth < 100 ? 0.5 : truth < 1000 ? 5 : 50;
    expect(Math.abs(histogramPercentile(merged.histogram, q) - truth)).toBeLessThanOrEqual(halfBucket + 1e-9);
  });

  test('averaging the workers p99 would be wrong by far more than a bucket', () => {
    const truth = samplePercentile(pooled, 0.99);
    const averaged = (histogramPercentile(histogramOf(a), 0.99) + histogramPercentile(histogramOf(b), 0.99)) / 2;
    // b's 50 slow requests are 5% of b but 0.5% of all: the pooled p99 is a fast request, b's own p99 a slow one,
    // so their average lands in between, where no request of the pooled load is.
    expect(truth).toBeLessThan(20);
    expect(merged.p99_ms).toBe(locustBucket(truth));
    expect(averaged / truth).toBeGreaterThan(10);
  });

  test('a Locust response_times dict (string keys) merges the same as raw samples', () => {
    const asLocust = (samples: number[]) => Object.fromEntries([...histogramOf(samples)].map(([k, v]) => [String(k), v]));
    const fromDicts = mergeLoads([
      { name: 'a', requests: a.length, failures: 0, histogram: histogramFromLocust(asLocust(a)) },
      { name: 'b', requests: b.length, failures: 3, histogram: histogramFromLocust(asLocust(b)) },
    ]);
    expect([fromDicts.p50_ms, fromDicts.p90_ms, fromDicts.p99_ms, fromDicts.max_ms]).toEqual([merged.p50_ms, merged.p90_ms, merged.p99_ms, merged.max_ms]);
    expect(fromDicts.failures).toBe(3);
    // Without every worker's latency sum the mean is not claimed.
    expect(fromDicts.mean_ms).toBeUndefined();
  });

  test('an empty distribution has no percentiles rather than zeros', () => {
    expect(mergeLoads([]).p99_ms).toBeNaN();
  });
});
