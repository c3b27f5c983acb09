/** The statistics the regression gate rests on, checked against published values. */
import { describe, expect, test } from 'vitest';
import { bootstrapQuantileRatio, seededRandom } from '../../harness/stats/bootstrap.js';
import { quantile } from '../../harness/stats/describe.js';
import { shareDifference, wilson } from '../../harness/stats/proportion.js';
import { tCdf, tQuantile } from '../../harness/stats/t.js';
import { welch } from '../../harness/stats/welch.js';

describe('statistics', () => {
  test('t quantiles match the tables', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.2281, 3);
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 10);
  });

  test('Welch t-test: R t.test(1:5, c(2,4,6,8,10)) gives t = -1.897, df = 5.882, p = 0.1075', () => {
    const r = welch([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(r.df).toBeCloseTo(5.882, 2);
    expect(r.p).toBeCloseTo(0.1075, 3);
    expect(r.relative).toBeCloseTo(1, 10);
    // mean(y) - mean(x) = 3 ± t(0.975, 5.882) × sqrt(2.5/5 + 10/5) = 3 ± 2.452 × 1.581, relative to mean(x) = 3.
    expect(r.low).toBeCloseTo(-0.8776 / 3, 2);
    expect(r.high).toBeCloseTo(6.8776 / 3, 2);
  });

  test('Wilson and Newcombe intervals: Newcombe (1998) worked examples', () => {
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 3);
    expect(w.high).toBeCloseTo(0.3662, 3);
    const d = shareDifference(48, 80, 56, 70);
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 3);
    expect(d.high).toBeCloseTo(0.3339, 3);
  });

  test('the bootstrap is reproducible and covers a doubled median', () => {
    const random = seededRandom(1);
    const a = Array.from({ length: 60 }, () => 200 + random() * 40);
    const b = a.map((x) => x * 2);
    const r1 = bootstrapQuantileRatio(a, b, 0.5);
    expect(r1).toEqual(bootstrapQuantileRatio(a, b, 0.5));
    expect(r1.ratio).toBeCloseTo(2, 10);
    expect(r1.low).toBeGreaterThan(1.7);
    expect(r1.high).toBeLessThan(2.3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
