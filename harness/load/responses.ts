/**
 * Every response of a load, recorded once (autocannon's result is an aggregate; its 'response' event gives each
 * answer's latency and status), and two views of it:
 *   - the timeline, one point per second, for the report's chart. The last partial second is kept with its real
 *     length so the chart's last bar does not read as a drop in throughput, unless it is shorter than 0.2 s (a
 *     rate over a sliver is noise);
 *   - the series, what a regression gate needs beyond the summary: the responses completed in each whole second
 *     (throughput samples for a two-sample test) and per-request latencies (for bootstrapped percentiles) in a
 *     seeded reservoir, so a 100k-request run stays small but unbiased.
 * Plus how busy the load generator itself was (autocannon is single-threaded).
 */
import { seededRandom } from '../stats/bootstrap.js';

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

export interface LoadSeries {
  /** Completed responses (any status) in each whole second of the run (the partial last second is dropped). */
  per_second: number[];
  /** Per-request latencies in ms: all of them, or a uniform sample of `reservoir` when there were more. */
  latencies_ms: number[];
  /** How many latencies were seen in total (>= latencies_ms.length). */
  latencies_seen: number;
  /** CPU seconds the app used from idle before the load to idle after it (absent: not readable, or never idle). */
  app_cpu_s?: number;
  /** Requests sent in the load: each was worked on whole inside that window. */
  requests_sent?: number;
}

export interface Recorded {
  timeline: LoadTimelinePoint[];
  series: LoadSeries;
  /** Share of one CPU core this process used during the load. */
  loadgenCpu: number;
}

export class ResponseRecorder {
  private readonly started = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly buckets: { latencies: number[]; non2xx: number }[] = [];
  private readonly reservoir: number[] = [];
  private seen = 0;
  private readonly random = seededRandom(7);
  private finished: Recorded | undefined;

  constructor(private readonly reservoirSize = 5000) {}

  response(latencyMs: number, status: number): void {
    if (this.finished) return;
    const second = Math.floor((performance.now() - this.started) / 1000);
    while (this.buckets.length <= second) this.buckets.push({ latencies: [], non2xx: 0 });
    const bucket = this.buckets[second]!;
    bucket.latencies.push(latencyMs);
    if (status < 200 || status >= 300) bucket.non2xx++;
    this.seen++;
    if (this.reservoir.length < this.reservoirSize) this.reservoir.push(latencyMs);
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.reservoirSize) this.reservoir[slot] = latencyMs;
    }
  }

  /** Stops the clock at the first call (the end of the load, not whenever a caller reads it) and returns both views. */
  finish(): Recorded {
    this.finished ??= this.compute();
    return this.finished;
  }

  private compute(): Recorded {
    const elapsedS = (performance.now() - this.started) / 1000;
    const cpu = process.cpuUsage(this.cpuStart);
    // Seconds in which nothing finished are points too (0 req/s is what a stalled app looks like).
    while (this.buckets.length < Math.ceil(elapsedS)) this.buckets.push({ latencies: [], non2xx: 0 });
    const kept = elapsedS - (this.buckets.length - 1) < 0.2 ? this.buckets.slice(0, -1) : this.buckets;
    const timeline = kept.map((b, i) => {
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
    const whole = Math.floor(elapsedS);
    const series: LoadSeries = {
      per_second: Array.from({ length: whole }, (_, i) => this.buckets[i]?.latencies.length ?? 0),
      latencies_ms: this.reservoir,
      latencies_seen: this.seen,
    };
    return { timeline, series, loadgenCpu: elapsedS > 0 ? (cpu.user + cpu.system) / 1e6 / elapsedS : 0 };
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
