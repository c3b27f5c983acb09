/** The gate's decisions on series whose truth we know: what moved, by how much, with what confidence. */
import { describe, expect, test } from 'vitest';
import { compareToBaseline, comparisonVerdict, type CurrentRun } from '../../harness/baseline/compare.js';
import { BASELINE_SCHEMA, type Baseline } from '../../harness/baseline/file.js';
import { resolveThresholds } from '../../harness/baseline/thresholds.js';
import type { LoadSeries } from '../../harness/load/responses.js';
import { seededRandom } from '../../harness/stats/bootstrap.js';

/** n requests around `ms` (±10%), the app spending `cpuMs` of CPU on each. */
function series(n: number, ms: number, cpuMs: number, seed: number): LoadSeries {
  const random = seededRandom(seed);
  const latencies = Array.from({ length: n }, () => ms * (0.9 + 0.2 * random()));
  return { per_second: [], latencies_ms: latencies, latencies_seen: n, app_cpu_s: (n * cpuMs) / 1000, requests_sent: n };
}

function baseline(s: LoadSeries, hot = 990, total = 1000): Baseline {
  return {
    schema: BASELINE_SCHEMA, scenario: 'cpu-hotspot', createdAt: '2026-11-27T00:00:00Z', runId: 'b', environment: {},
    load: { generator: 'autocannon', url: 'u', connections: 2, duration_s: 5, requests: s.latencies_seen, rps: 9, p50_ms: 0, p90_ms: 0, p99_ms: 0, max_ms: 0, errors: 0, timeouts: 0, non2xx: 0 },
    series: s,
    hotspots: { totalSamples: total, frames: [{ name: 'hash_password', file: 'badapp/hashing.py', samples: hot }] },
  };
}

function current(s: LoadSeries, hot = 990, total = 1000): CurrentRun {
  return { series: s, rps: 9, durationS: 5, hotspots: { totalSamples: total, frames: [{ name: 'hash_password', file: 'badapp/hashing.py', samples: hot }] } };
}

const all = resolveThresholds({ gate: ['cpuPerRequest', 'throughput', 'p50', 'hotspots'] });

describe('comparison against a baseline', () => {
  test('twice the work per request is a regression in CPU per request, throughput and p50, with its interval', () => {
    const result = compareToBaseline(baseline(series(45, 210, 210, 1)), current(series(24, 420, 420, 2)), all);
    const by = Object.fromEntries(result.map((c) => [c.metric, c]));
    expect(by['cpu per request']).toMatchObject({ outcome: 'regressed', gated: true });
    expect(by['cpu per request']!.change).toBeCloseTo(1, 5);
    expect(by['throughput']).toMatchObject({ outcome: 'regressed' });
    expect(by['throughput']!.change).toBeLessThan(-0.4);
    expect(by['latency p50']).toMatchObject({ outcome: 'regressed' });
    const verdict = comparisonVerdict(by['cpu per request']!, 0.95);
    expect(verdict.pass).toBe(false);
    expect(verdict.actual).toMatch(/^regressed: \+100\.0% \(210 -> 420 CPU ms; tick bound \+\d+\.\d% \.\. \+\d+\.\d%\)$/);
    expect(comparisonVerdict(by['latency p50']!, 0.95).actual).toMatch(/95% CI \+\d+\.\d% \.\. \+\d+\.\d%/);
  });

  test('the same work passes, and metrics outside the gate are reported, not verdicts', () => {
    const result = compareToBaseline(baseline(series(45, 210, 210, 1)), current(series(44, 212, 214, 3)), resolveThresholds());
    expect(result.filter((c) => c.gated).map((c) => [c.metric, c.outcome])).toEqual([
      ['cpu per request', 'pass'],
      ['hotspot hash_password (badapp/hashing.py)', 'pass'],
    ]);
    expect(result.find((c) => c.metric === 'throughput')).toMatchObject({ gated: false, outcome: 'pass' });
  });

  test('too few requests is inconclusive (a failed verdict) and says how long to run instead', () => {
    const result = compareToBaseline(baseline(series(6, 210, 210, 1)), current(series(2, 210, 210, 2)), all);
    const cpu = result.find((c) => c.metric === 'cpu per request')!;
    expect(cpu.outcome).toBe('inconclusive');
    const verdict = comparisonVerdict(cpu, 0.95);
    expect(verdict.pass).toBe(false);
    expect(verdict.actual).toMatch(/^inconclusive: .*run with --duration \d+ or more$/);
    expect(comparisonVerdict(result.find((c) => c.metric === 'throughput')!, 0.95).actual).toMatch(/2 requests; at least 10 are needed in each run: run with --duration 25 or more/);
    const p99 = compareToBaseline(baseline(series(45, 210, 210, 1)), current(series(45, 210, 210, 2)), resolveThresholds({ gate: ['p99'] }));
    expect(comparisonVerdict(p99.find((c) => c.metric === 'latency p99')!, 0.95).actual).toMatch(/p99 needs at least 500 in each run/);
  });

  test('a hotspot that grew by more than the threshold, beyond its interval, fails', () => {
    const result = compareToBaseline(baseline(series(45, 210, 210, 1), 500, 1000), current(series(45, 210, 210, 2), 700, 1000), resolveThresholds());
    const hot = result.find((c) => c.key === 'hotspots')!;
    expect(hot.outcome).toBe('regressed');
    expect(comparisonVerdict(hot, 0.95).actual).toMatch(/^regressed: \+20\.0 pt \(50\.0% -> 70\.0%; 95% CI \+15\.\d pt \.\. \+24\.\d pt\)$/);
  });

  test('a clear drop measured on few samples passes: the wide interval stays on the good side of the threshold', () => {
    // 90% -> 20% of 40 samples each: the interval is far wider than the 5-point threshold, all of it below zero.
    const drop = compareToBaseline(baseline(series(45, 210, 210, 1), 36, 40), current(series(45, 210, 210, 2), 8, 40), resolveThresholds());
    const hot = drop.find((c) => c.key === 'hotspots')!;
    expect(hot.high - hot.low).toBeGreaterThan(2 * 0.05);
    expect(hot.high).toBeLessThan(0);
    expect(hot.outcome).toBe('pass');
    expect(comparisonVerdict(hot, 0.95).actual).toMatch(/^-70\.0 pt \(90\.0% -> 20\.0%; 95% CI -\d+\.\d pt \.\. -\d+\.\d pt\)$/);
    // The same few samples with no change: the interval reaches past +5 points, so a regression is not ruled out.
    const same = compareToBaseline(baseline(series(45, 210, 210, 1), 20, 40), current(series(45, 210, 210, 2), 20, 40), resolveThresholds());
    expect(same.find((c) => c.key === 'hotspots')).toMatchObject({ outcome: 'inconclusive', advice: expect.stringMatching(/run with --duration \d+ or more/) });
    // A throughput that clearly rose (half the latency) on a wide interval passes the same way.
    const faster = compareToBaseline(baseline(series(12, 420, 420, 1)), current(series(12, 210, 210, 2)), all);
    expect(faster.find((c) => c.metric === 'throughput')).toMatchObject({ outcome: 'pass' });
  });

  test('no app CPU time (a target without a host PID) is inconclusive and says why', () => {
    const s = { ...series(45, 210, 210, 1), app_cpu_s: undefined };
    const cpu = compareToBaseline(baseline(s), current(s), resolveThresholds()).find((c) => c.key === 'cpuPerRequest')!;
    expect(cpu.outcome).toBe('inconclusive');
    expect(cpu.advice).toMatch(/no host PID/);
  });
});
