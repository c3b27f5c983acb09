/**
 * How much a metric may move against its baseline before the gate fails, per scenario (Scenario.regression),
 * over these defaults, and which metrics gate at all. Every metric is compared and reported; only those in
 * `gate` become verdicts.
 *
 * Default gate: the app's CPU time per request and hotspot shares. Throughput and latency are reported, not
 * gated, by default: on a shared machine they move with the neighbours' load (measured here: an unchanged
 * bad-app read -41% throughput and +105% p50 while other load tests ran), and a gate that cries wolf gets
 * switched off. Gate them on a dedicated runner: `regression: { gate: ['cpuPerRequest', 'throughput', 'p50'] }`.
 */
export type Metric = 'cpuPerRequest' | 'throughput' | 'p50' | 'p90' | 'p99' | 'hotspots';

export interface RegressionThresholds {
  /** Largest tolerated relative rise of the app's CPU time per request: 0.25 = 25%. */
  cpuPerRequest?: number;
  /** Largest tolerated relative drop of throughput: 0.3 = 30%. */
  throughput?: number;
  /** Largest tolerated relative rise of a latency percentile. */
  p50?: number;
  p90?: number;
  p99?: number;
  /** Largest tolerated rise of any top hotspot's self share, in share points: 0.05 = 5 points. */
  hotspotPoints?: number;
  /** Confidence of the statistical intervals (default 0.95). */
  confidence?: number;
  /** The metrics whose comparison is a verdict (default: cpuPerRequest, hotspots). */
  gate?: Metric[];
}

export type ResolvedThresholds = Required<RegressionThresholds>;

export const DEFAULT_THRESHOLDS: ResolvedThresholds = {
  cpuPerRequest: 0.25,
  throughput: 0.3,
  p50: 0.3,
  p90: 0.3,
  p99: 0.5,
  hotspotPoints: 0.05,
  confidence: 0.95,
  gate: ['cpuPerRequest', 'hotspots'],
};

export function resolveThresholds(overrides: RegressionThresholds = {}): ResolvedThresholds {
  return { ...DEFAULT_THRESHOLDS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
