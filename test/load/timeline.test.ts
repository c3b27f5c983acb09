import { afterEach, describe, expect, test, vi } from 'vitest';
import { quantile, TimelineRecorder } from '../../harness/load/timeline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('load timeline', () => {
  test('one point per second, quiet seconds included, the last partial second at its real length', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new TimelineRecorder();
    vi.advanceTimersByTime(100);
    recorder.response(10, 200);
    vi.advanceTimersByTime(400);
    recorder.response(30, 500);
    vi.advanceTimersByTime(2000); // t = 2.5 s
    recorder.response(20, 200);
    vi.advanceTimersByTime(100); // finish at 2.6 s
    expect(recorder.finish()).toEqual([
      { t_s: 0, span_s: 1, requests: 2, rps: 2, p50_ms: 10, p99_ms: 30, max_ms: 30, non2xx: 1 },
      { t_s: 1, span_s: 1, requests: 0, rps: 0, non2xx: 0 },
      { t_s: 2, span_s: 0.6, requests: 1, rps: 1.67, p50_ms: 20, p99_ms: 20, max_ms: 20, non2xx: 0 },
    ]);
  });

  test('a last sliver under 0.2 s is dropped: a rate over it is noise', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new TimelineRecorder();
    vi.advanceTimersByTime(500);
    recorder.response(5, 200);
    vi.advanceTimersByTime(550); // 1.05 s: second 1 has 0.05 s
    recorder.response(5, 200);
    expect(recorder.finish().map((p) => p.t_s)).toEqual([0]);
  });

  test('nearest-rank quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
