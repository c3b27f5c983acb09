import { describe, expect, test } from 'vitest';
import type { LoadResult } from '../../harness/load/types.js';
import { observerEffect, observerWarning } from '../../harness/observer/effect.js';

const load = (rps: number, p99: number, perSecond?: number[]): LoadResult => ({
  generator: 'autocannon', url: 'http://127.0.0.1/', connections: 2, duration_s: 5, requests: rps * 5, rps,
  p50_ms: p99 / 3, p90_ms: p99 / 2, p99_ms: p99, max_ms: p99 * 2, errors: 0, timeouts: 0, non2xx: 0,
  ...(perSecond ? { timeline: perSecond.map((r, i) => ({ t_s: i, span_s: 1, requests: r, rps: r, non2xx: 0 })) } : {}),
});
const sampling = { mode: 'nonblocking' as const, samplers: 2, rate_hz: 100 };
// Latency samples: the profiled phase's tail is a factor `k` of the unprofiled one's.
const lat = (k: number) => Array.from({ length: 400 }, (_, i) => (10 + i * 0.1) * k);

describe('observer-effect warning: only for a slowdown, with its interval', () => {
  test('p99 improved (x0.88, as once reported): no warning', () => {
    const e = observerEffect(load(1000, 50), load(1000, 44), sampling, { unprofiled: lat(1), profiled: lat(0.88) });
    expect(e.p99_ratio).toBe(0.88);
    expect(observerWarning(e)).toBeUndefined();
  });

  test('throughput up 30%: no warning either', () => {
    expect(observerWarning(observerEffect(load(1000, 50), load(1300, 50), sampling))).toBeUndefined();
  });

  test('p99 doubled with a tight interval: the warning names p99 and carries the interval', () => {
    const e = observerEffect(load(1000, 50), load(1000, 100), sampling, { unprofiled: lat(1), profiled: lat(2) });
    expect(e.p99_interval!.low).toBeGreaterThan(1.5);
    expect(observerWarning(e)).toMatch(/^the profiler slowed the app by more than 10% \(p99\): .*p99 ×2\.00 \[95% ×[\d.]+\.\.×[\d.]+\]/);
  });

  test('throughput down 25%, steady per second: warned, with the Welch interval', () => {
    const e = observerEffect(load(1000, 50, [990, 1010, 1000, 1005, 995]), load(750, 50, [745, 755, 750, 748, 752]), sampling);
    expect(e.rps_interval!.high).toBeLessThan(0.8);
    expect(observerWarning(e)).toMatch(/slowed the app by more than 10% \(throughput\): .*throughput ×0\.75 \[95% ×0\.7\d\.\.×0\.7\d\]/);
  });

  test('throughput down 15% but the seconds scatter so much the interval includes no change: no warning', () => {
    const e = observerEffect(load(1000, 50, [400, 1600, 500, 1500, 1000]), load(850, 50, [300, 1400, 500, 1500, 550]), sampling);
    expect(e.rps_interval!.high).toBeGreaterThan(1);
    expect(observerWarning(e)).toBeUndefined();
  });
});
