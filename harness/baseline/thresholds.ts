/**
 * How much a metric may move against its baseline before the gate fails, per scenario (Scenario.regression),
 * over these defaults. `false` leaves a metric out of the gate. The defaults gate what a few seconds of load
 * can measure: throughput, the median and hotspot shares. p90/p99 need many requests for a confident verdict
 * (at least 50 / 500, see compare.ts) and are opt-in.
 */
export interface RegressionThresholds {
  /** Largest tolerated relative drop of throughput: 0.2 = 20%. */
  throughput?: number | false;
  /** Largest tolerated relative rise of a latency percentile: 0.25 = 25%. */
  p50?: number | false;
  p90?: number | false;
  p99?: number | false;
  /** Largest tolerated rise of any top hotspot's self share, in share points: 0.05 = 5 points. */
  hotspotPoints?: number | false;
  /** Confidence of the intervals (default 0.95). */
  confidence?: number;
}

export type ResolvedThresholds = Required<RegressionThresholds>;

export const DEFAULT_THRESHOLDS: ResolvedThresholds = {
  throughput: 0.2,
  p50: 0.25,
  p90: false,
  p99: false,
  hotspotPoints: 0.05,
  confidence: 0.95,
};

export function resolveThresholds(overrides: RegressionThresholds = {}): ResolvedThresholds {
  return { ...DEFAULT_THRESHOLDS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
