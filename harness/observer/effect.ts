/**
 * The observer effect: how much attaching the profiler changed what was measured. Every run loads the app
 * briefly without a profiler, then with it; the ratios profiled / unprofiled of throughput and p99 say what
 * the profile cost the app. Above 10% either way, the run warns: the hotspot shares may still be right, but
 * the load numbers describe a disturbed app.
 */
import type { LoadResult } from '../load/types.js';

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
}

export interface ObserverEffect {
  unprofiled: PhaseNumbers;
  profiled: PhaseNumbers;
  /** profiled / unprofiled: 0.9 = the profiler cost 10% of the throughput. */
  rps_ratio: number;
  /** profiled / unprofiled: 2.2 = p99 more than doubled under the profiler. */
  p99_ratio: number;
  p50_ratio: number;
  sampling: Sampling | null;
}

export const OBSERVER_LIMIT = 0.1;

const phase = (l: LoadResult): PhaseNumbers => ({ duration_s: l.duration_s, requests: l.requests, rps: l.rps, p50_ms: l.p50_ms, p99_ms: l.p99_ms });
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN);

export function observerEffect(unprofiled: LoadResult, profiled: LoadResult, sampling: Sampling | null): ObserverEffect {
  return {
    unprofiled: phase(unprofiled),
    profiled: phase(profiled),
    rps_ratio: ratio(profiled.rps, unprofiled.rps),
    p99_ratio: ratio(profiled.p99_ms, unprofiled.p99_ms),
    p50_ratio: ratio(profiled.p50_ms, unprofiled.p50_ms),
    sampling,
  };
}

export function formatObserver(effect: ObserverEffect): string {
  const s = effect.sampling;
  return (
    `observer effect${s ? ` (py-spy ${s.mode}, ${s.samplers} sampler${s.samplers > 1 ? 's' : ''} at ${s.rate_hz} Hz` +
      `${s.profiler_cores !== undefined ? `, using ${s.profiler_cores.toFixed(2)} cores` : ''})` : ''}: ` +
    `throughput x${effect.rps_ratio.toFixed(2)} (${effect.profiled.rps} vs ${effect.unprofiled.rps} req/s unprofiled), ` +
    `p99 x${effect.p99_ratio.toFixed(2)} (${effect.profiled.p99_ms} vs ${effect.unprofiled.p99_ms} ms)`
  );
}

/** A warning when the profiler moved throughput or p99 by more than 10%, with how few requests it rests on. */
export function observerWarning(effect: ObserverEffect): string | undefined {
  const rpsMoved = Math.abs(1 - effect.rps_ratio) > OBSERVER_LIMIT;
  const p99Moved = Math.abs(effect.p99_ratio - 1) > OBSERVER_LIMIT;
  if (!rpsMoved && !p99Moved) return undefined;
  const few = Math.min(effect.unprofiled.requests, effect.profiled.requests) < 100
    ? ` (p99 of ${Math.min(effect.unprofiled.requests, effect.profiled.requests)} requests is mostly noise: run longer to trust it)`
    : '';
  const hint = effect.sampling?.mode === 'blocking' ? ' Blocking sampling pauses the app; --sampling nonblocking costs less.' : '';
  return `the profiler disturbed the app by more than 10%: ${formatObserver(effect)}${few}.${hint}`;
}
