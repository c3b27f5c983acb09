/**
 * Throughput and latency over the run, one point per second, for the report's chart. autocannon's result is
 * an aggregate; its 'response' event gives each answer's latency, so a small recorder buckets them by second.
 * Only finished seconds count in full; the last partial second is kept with its real length so the chart's
 * last bar does not read as a drop in throughput, unless it is shorter than 0.2 s (a rate over a sliver is noise).
 */
export interface LoadTimelinePoint {
  /** Seconds since the load started (start of this bucket). */
  t_s: number;
  /** Length of this bucket in seconds (1, or less for the last one). */
  span_s: number;
  /** Responses completed in this bucket (any status). */
  requests: number;
  /** Requests per second in this bucket: requests / span_s. */
  rps: number;
  p50_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  non2xx: number;
}

export class TimelineRecorder {
  private readonly started = performance.now();
  private readonly buckets: { latencies: number[]; non2xx: number }[] = [];

  response(latencyMs: number, status: number): void {
    const second = Math.floor((performance.now() - this.started) / 1000);
    while (this.buckets.length <= second) this.buckets.push({ latencies: [], non2xx: 0 });
    const bucket = this.buckets[second]!;
    bucket.latencies.push(latencyMs);
    if (status < 200 || status >= 300) bucket.non2xx++;
  }

  finish(): LoadTimelinePoint[] {
    const elapsedS = (performance.now() - this.started) / 1000;
    // Seconds in which nothing finished are points too (0 req/s is what a stalled app looks like).
    while (this.buckets.length < Math.ceil(elapsedS)) this.buckets.push({ latencies: [], non2xx: 0 });
    const kept = elapsedS - (this.buckets.length - 1) < 0.2 ? this.buckets.slice(0, -1) : this.buckets;
    return kept.map((b, i) => {
      const span = Math.max(0.001, Math.min(1, elapsedS - i));
      const sorted = b.latencies.slice().sort((x, y) => x - y);
      return {
        t_s: i,
        span_s: round(span, 3),
        requests: sorted.length,
        rps: round(sorted.length / span, 2),
        ...(sorted.length
          ? { p50_ms: round(quantile(sorted, 0.5), 2), p99_ms: round(quantile(sorted, 0.99), 2), max_ms: round(sorted[sorted.length - 1]!, 2) }
          : {}),
        non2xx: b.non2xx,
      };
    });
  }
}

/** Nearest-rank quantile of an ascending array (what HDR histograms report, without interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
