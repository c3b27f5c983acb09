import { afterEach, describe, expect, test, vi } from 'vitest';
import { quantile, ResponseRecorder } from '../../harness/load/responses.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('responses of a load: timeline and series', () => {
  test('one point per second, quiet seconds included, the last partial second at its real length', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new ResponseRecorder();
    vi.advanceTimersByTime(100);
    recorder.response(10, 200);
    vi.advanceTimersByTime(400);
    recorder.response(30, 500);
    vi.advanceTimersByTime(2000); // t = 2.5 s
    recorder.response(20, 200);
    vi.advanceTimersByTime(100); // finish at 2.6 s
    expect(recorder.finish().timeline).toEqual([
      { t_s: 0, span_s: 1, requests: 2, rps: 2, p50_ms: 10, p99_ms: 30, max_ms: 30, non2xx: 1 },
      { t_s: 1, span_s: 1, requests: 0, rps: 0, non2xx: 0 },
      { t_s: 2, span_s: 0.6, requests: 1, rps: 1.67, p50_ms: 20, p99_ms: 20, max_ms: 20, non2xx: 0 },
    ]);
  });

  test('a last sliver under 0.2 s is dropped: a rate over it is noise', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new ResponseRecorder();
    vi.advanceTimersByTime(500);
    recorder.response(5, 200);
    vi.advanceTimersByTime(550); // 1.05 s: second 1 has 0.05 s
    recorder.response(5, 200);
    expect(recorder.finish().timeline.map((p) => p.t_s)).toEqual([0]);
  });

  test('the series for the gate: whole seconds only, every latency up to the reservoir, a uniform sample beyond', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new ResponseRecorder(3);
    for (const ms of [10, 20, 30, 40, 50]) recorder.response(ms, 200); // second 0
    vi.advanceTimersByTime(1500);
    recorder.response(60, 503); // second 1 (a 5xx is a completed response too)
    vi.advanceTimersByTime(1000); // 2.5 s: seconds 0 and 1 are whole
    const { series, timeline } = recorder.finish();
    expect(series.per_second).toEqual([5, 1]);
    expect(series.latencies_seen).toBe(6);
    expect(series.latencies_ms).toHaveLength(3);
    expect(timeline.map((p) => p.requests)).toEqual([5, 1, 0]);
  });

  test('the clock stops at the first finish: waiting for the app to go idle afterwards adds no empty seconds', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const recorder = new ResponseRecorder();
    vi.advanceTimersByTime(2100);
    recorder.response(5, 200);
    const first = recorder.finish();
    vi.advanceTimersByTime(3000);
    recorder.response(5, 200);
    expect(recorder.finish()).toBe(first);
    expect(first.series.per_second).toEqual([0, 0]);
    expect(first.timeline).toHaveLength(2); // the 0.1 s sliver is dropped
  });

  test('nearest-rank quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('a mix of request kinds', async () => {
  const { splitConnections } = await import('../../harness/load/mix.js');
  test('connections in proportion to the weights, at least one each, the total kept', () => {
    expect(splitConnections([3, 1, 1], 5)).toEqual([3, 1, 1]);
    expect(splitConnections([1, 1], 3).reduce((a, b) => a + b, 0)).toBe(3);
    expect(splitConnections([10, 1, 1], 2)).toEqual([1, 1, 1]); // fewer connections than kinds: one each
    expect(splitConnections([2, 1], 9)).toEqual([6, 3]);
  });
});

describe('open loop: coordinated-omission correction', async () => {
  const { correctLatencies } = await import('../../harness/load/autocannon.js');
  test('an answer of L ms on a connection due every I ms also counts the requests it held back: L-I, L-2I, … down to I', () => {
    expect(correctLatencies([100], 30)).toEqual([100, 70, 40]);
    expect(correctLatencies([20, 25], 30)).toEqual([20, 25]); // on time: nothing added
    expect(correctLatencies([90], 0)).toEqual([90]);
  });
});
