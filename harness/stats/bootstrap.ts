/**
 * Percentile bootstrap of the ratio of a statistic (a latency percentile) between two independent samples:
 * resample each with replacement, take stat(b*) / stat(a*), read the interval from the resampled ratios.
 * Seeded, so the same data always gives the same verdict.
 */
import { quantileSorted } from './describe.js';

/** mulberry32: a small, good-enough seeded PRNG for resampling. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RatioInterval {
  /** stat(b) / stat(a) on the observed samples. */
  ratio: number;
  low: number;
  high: number;
}

export function bootstrapQuantileRatio(
  a: readonly number[],
  b: readonly number[],
  q: number,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): RatioInterval {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const random = seededRandom(options.seed ?? 0x5eed);
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  const ratio = quantileSorted(sb, q) / quantileSorted(sa, q);
  const ratios: number[] = new Array(resamples);
  const bufA = new Array<number>(sa.length);
  const bufB = new Array<number>(sb.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < sa.length; i++) bufA[i] = sa[Math.floor(random() * sa.length)]!;
    for (let i = 0; i < sb.length; i++) bufB[i] = sb[Math.floor(random() * sb.length)]!;
    bufA.sort((x, y) => x - y);
    bufB.sort((x, y) => x - y);
    ratios[r] = quantileSorted(bufB, q) / quantileSorted(bufA, q);
  }
  ratios.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  return { ratio, low: quantileSorted(ratios, alpha), high: quantileSorted(ratios, 1 - alpha) };
}
