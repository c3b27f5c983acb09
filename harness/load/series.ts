/**
 * What a regression gate needs beyond autocannon's summary: the requests completed in each whole second
 * (throughput samples for a two-sample test) and per-request latencies (for bootstrapped percentiles), plus how
 * busy the load generator itself was. Latencies are kept in a seeded reservoir so a 100k-request run stays small
 * but unbiased.
 */
import { seededRandom } from '../stats/bootstrap.js';

export interface LoadSeries {
  /** Completed 2xx..5xx responses in each whole second of the run (the partial last second is dropped). */
  per_second: number[];
  /** Per-request latencies in ms: all of them, or a uniform sample of `reservoir` when there were more. */
  latencies_ms: number[];
  /** How many latencies were seen in total (>= latencies_ms.length). */
  latencies_seen: number;
  /** CPU seconds the app used from idle before the load to idle after it (absent: no host PID, or never idle). */
  app_cpu_s?: number;
  /** Requests sent in the load: each was worked on whole inside that window. */
  requests_sent?: number;
}

export class SeriesRecorder {
  private readonly started = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly counts: number[] = [];
  private readonly latencies: number[] = [];
  private seen = 0;
  private readonly random = seededRandom(7);

  constructor(private readonly reservoir = 5000) {}

  response(latencyMs: number): void {
    const second = Math.floor((performance.now() - this.started) / 1000);
    while (this.counts.length <= second) this.counts.push(0);
    this.counts[second]!++;
    this.seen++;
    if (this.latencies.length < this.reservoir) this.latencies.push(latencyMs);
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.reservoir) this.latencies[slot] = latencyMs;
    }
  }

  /** The series, and the share of one CPU core this process used meanwhile (autocannon is single-threaded). */
  finish(): { series: LoadSeries; loadgenCpu: number } {
    const wallS = (performance.now() - this.started) / 1000;
    const cpu = process.cpuUsage(this.cpuStart);
    const whole = Math.floor(wallS);
    return {
      series: { per_second: Array.from({ length: whole }, (_, i) => this.counts[i] ?? 0), latencies_ms: this.latencies, latencies_seen: this.seen },
      loadgenCpu: wallS > 0 ? (cpu.user + cpu.system) / 1e6 / wallS : 0,
    };
  }
}
