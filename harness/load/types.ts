import type { LoadTimelinePoint } from './timeline.js';

/** What any load generator reports, in the units summary.json uses. */
export interface LoadResult {
  generator: 'autocannon' | 'k6';
  url: string;
  connections: number;
  duration_s: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors and timeouts: requests that got no HTTP answer. */
  errors: number;
  timeouts: number;
  /** Answers with a status outside 2xx. */
  non2xx: number;
  /** Per-second throughput and latency over the run (absent when the generator could not report it). */
  timeline?: LoadTimelinePoint[];
}

export interface LoadOptions {
  url: string;
  durationS: number;
  connections: number;
  /** Per-request timeout in seconds. */
  timeoutS?: number;
  signal?: AbortSignal;
}
