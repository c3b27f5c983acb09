/**
 * Welch's two-sample t-test on means with unequal variances, e.g. per-second throughput of a baseline run
 * against the current run. The interval is for the relative change of the mean, (b - a) / mean(a), with the
 * baseline mean taken as known (its own noise is in the standard error of the difference already).
 */
import { mean, variance } from './describe.js';
import { tCdf, tQuantile } from './t.js';

export interface WelchResult {
  meanA: number;
  meanB: number;
  /** (meanB - meanA) / meanA */
  relative: number;
  /** Confidence interval of `relative` at `confidence`. */
  low: number;
  high: number;
  /** Two-sided p-value of "the means are equal". */
  p: number;
  df: number;
}

export function welch(a: readonly number[], b: readonly number[], confidence = 0.95): WelchResult {
  if (a.length < 2 || b.length < 2) throw new RangeError('welch: each sample needs at least 2 values');
  const ma = mean(a);
  const mb = mean(b);
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  const diff = mb - ma;
  // Identical constant samples: no noise at all, the difference is exact.
  if (se === 0) return { meanA: ma, meanB: mb, relative: diff / ma, low: diff / ma, high: diff / ma, p: diff === 0 ? 1 : 0, df: Infinity };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  const p = 2 * (1 - tCdf(Math.abs(diff / se), df));
  return { meanA: ma, meanB: mb, relative: diff / ma, low: (diff - t * se) / ma, high: (diff + t * se) / ma, p, df };
}
