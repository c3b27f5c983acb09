/**
 * The observer effect: how much attaching the profiler changed what was measured. Every run loads the app
 * briefly without a profiler, then with it; the ratios profiled / unprofiled of throughput and p99 say what
 * the profile cost the app. The run warns only for a slowdown (throughput down or p99 up by more than 10%)
 * whose interval excludes "no change": a profiler cannot make the app faster, so an improvement is noise, and
 * warning on it (it once fired on p99 x0.88) teaches users to ignore the warning.
 * Intervals: throughput from the per-second timeline (Welch), p99 from the latency samples (percentile bootstrap,
 * seeded), each only when the data is there.
 */
import type { LoadResult } from '../load/types.js';
import { bootstrapQuantileRatio } from '../stats/bootstrap.js';
import { welch } from '../stats/welch.js';

export interface Sampling {
  /** py-spy --nonblocking (reads memory while the app runs) or blocking (pauses the app for each sample). */
  mode: 'nonblocking' | 'blocking';
  /** py-spy processes sampling the same window (raw + flame graph = 2). */
  samplers: number;
  rate_hz: number;
  /**
   * CPU the samplers themselves used, in cores (CPU seconds / recording seconds), where measurable (local target:
   * they are our descendants). On a machine whose cores the app wants, this is CPU taken from the app.
   */
  profiler_cores?: number;
}

interface PhaseNumbers {
  duration_s: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Per second, for the report's chart (the unprofiled phase drawn before the profiled one). */
  timeline?: LoadResult['timeline'];
}

export interface ObserverEffect {
  unprofiled: PhaseNumbers;
  profiled: PhaseNumbers;
  /** profiled / unprofiled: 0.9 = the profiler cost 10% of the throughput. */
  rps_ratio: number;
  /** profiled / unprofiled: 2.2 = p99 more than doubled under the profiler. */
  p99_ratio: number;
  p50_ratio: number;
  /** 95% intervals of the ratios, when the timeline (rps) or latency samples (p99) were there. */
  rps_interval?: { low: number; high: number };
  p99_interval?: { low: number; high: number };
  sampling: Sampling | null;
}

export const OBSERVER_LIMIT = 0.1;

const phase = (l: LoadResult): PhaseNumbers => ({ duration_s: l.duration_s, requests: l.requests, rps: l.rps, p50_ms: l.p50_ms, p99_ms: l.p99_ms, ...(l.timeline ? { timeline: l.timeline } : {}) });
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN);

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * `latencies`: latency samples (ms) of each phase (LoadSeries' reservoir) for the p99 interval; without them,
 * p99 has no interval. The throughput interval comes from the phases' per-second timelines (whole seconds only).
 */
export function observerEffect(
  unprofiled: LoadResult,
  profiled: LoadResult,
  sampling: Sampling | null,
  latencies?: { unprofiled: readonly number[]; profiled: readonly number[] },
): ObserverEffect {
  const perSecond = (l: LoadResult) => (l.timeline ?? []).filter((p) => p.span_s >= 0.999).map((p) => p.rps);
  const ra = perSecond(unprofiled);
  const rb = perSecond(profiled);
  let rpsInterval: ObserverEffect['rps_interval'];
  if (ra.length >= 2 && rb.length >= 2 && unprofiled.rps > 0) {
    const w = welch(ra, rb);
    rpsInterval = { low: r3(1 + w.low), high: r3(1 + w.high) };
  }
  let p99Interval: ObserverEffect['p99_interval'];
  if (latencies && latencies.unprofiled.length >= 20 && latencies.profiled.length >= 20) {
    const b = bootstrapQuantileRatio(latencies.unprofiled, latencies.profiled, 0.99, { resamples: 1000 });
    p99Interval = { low: r3(b.low), high: r3(b.high) };
  }
  return {
    unprofiled: phase(unprofiled),
    profiled: phase(profiled),
    rps_ratio: ratio(profiled.rps, unprofiled.rps),
    p99_ratio: ratio(profiled.p99_ms, unprofiled.p99_ms),
    p50_ratio: ratio(profiled.p50_ms, unprofiled.p50_ms),
    ...(rpsInterval ? { rps_interval: rpsInterval } : {}),
    ...(p99Interval ? { p99_interval: p99Interval } : {}),
    sampling,
  };
}

export function formatObserver(effect: ObserverEffect): string {
  const s = effect.sampling;
  return (
    `observer effect${s ? ` (py-spy ${s.mode}, ${s.samplers} sampler${s.samplers > 1 ? 's' : ''} at ${s.rate_hz} Hz` +
      `${s.profiler_cores !== undefined ? `, using ${s.profiler_cores.toFixed(2)} cores` : ''})` : ''}: ` +
    `throughput ×${effect.rps_ratio.toFixed(2)}${interval(effect.rps_interval)} (${effect.profiled.rps} vs ${effect.unprofiled.rps} req/s unprofiled), ` +
    `p99 ×${effect.p99_ratio.toFixed(2)}${interval(effect.p99_interval)} (${effect.profiled.p99_ms} vs ${effect.unprofiled.p99_ms} ms)`
  );
}

const interval = (i: { low: number; high: number } | undefined) => (i ? ` [95% ×${i.low.toFixed(2)}..×${i.high.toFixed(2)}]` : '');

/** Whether the profiler slowed the app: throughput down or p99 up by more than 10%, the interval (if any) excluding 1. */
export function observerSlowdown(effect: ObserverEffect): { rps: boolean; p99: boolean } {
  const rps = effect.rps_ratio < 1 - OBSERVER_LIMIT && (effect.rps_interval === undefined || effect.rps_interval.high < 1);
  const p99 = effect.p99_ratio > 1 + OBSERVER_LIMIT && (effect.p99_interval === undefined || effect.p99_interval.low > 1);
  return { rps, p99 };
}

/**
 * A warning when the profiler slowed the app by more than 10% (throughput down or p99 up; never for an
 * improvement), with the intervals and how few requests it rests on.
 */
export function observerWarning(effect: ObserverEffect): string | undefined {
  const slowed = observerSlowdown(effect);
  if (!slowed.rps && !slowed.p99) return undefined;
  const few = Math.min(effect.unprofiled.requests, effect.profiled.requests) < 100
    ? ` (p99 of ${Math.min(effect.unprofiled.requests, effect.profiled.requests)} requests is mostly noise: run longer to trust it)`
    : '';
  const hint = effect.sampling?.mode === 'blocking' ? ' Blocking sampling pauses the app; --sampling nonblocking costs less.' : '';
  const what = slowed.rps && slowed.p99 ? 'throughput and p99' : slowed.rps ? 'throughput' : 'p99';
  return `the profiler slowed the app by more than 10% (${what}): ${formatObserver(effect)}${few}.${hint}`;
}
