/**
 * Shares of samples (a hotspot's share of py-spy samples) as binomial proportions: the Wilson score interval
 * for one share, and Newcombe's hybrid score interval (method 10) for the difference of two shares, which
 * behaves near 0% and 100% where the textbook normal interval does not (a hot frame sits at 99.9%).
 */
import { zQuantile } from './t.js';

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export function wilson(successes: number, trials: number, confidence = 0.95): Interval {
  if (trials === 0) return { estimate: 0, low: 0, high: 1 };
  const z = zQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const denom = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denom;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Interval of shareB - shareA. */
export function shareDifference(kA: number, nA: number, kB: number, nB: number, confidence = 0.95): Interval {
  const a = wilson(kA, nA, confidence);
  const b = wilson(kB, nB, confidence);
  const d = b.estimate - a.estimate;
  return {
    estimate: d,
    low: d - Math.sqrt((b.estimate - b.low) ** 2 + (a.high - a.estimate) ** 2),
    high: d + Math.sqrt((b.high - b.estimate) ** 2 + (a.estimate - a.low) ** 2),
  };
}
