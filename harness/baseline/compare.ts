/**
 * A run against its baseline, metric by metric, as verdicts. Each metric gets an estimate of its change, a
 * confidence interval, and one of three outcomes:
 *   - regressed:    the change is worse than the threshold AND the interval excludes "no change";
 *   - inconclusive: too few samples, or the interval is wider than the threshold AND reaches beyond it on the
 *                   worse side (a regression of the threshold's size could not be told from noise) — a failed
 *                   verdict that says how long to run instead. A wide interval that stays within the threshold on
 *                   the worse side (a clear improvement measured on few samples) rules the regression out: pass;
 *   - pass:         otherwise.
 * Methods: throughput by Welch's t-test on mean latency (Little's law, closed-loop load); latency percentiles by a seeded
 * bootstrap of the ratio of percentiles over per-request latencies; hotspot shares by Newcombe's interval for
 * the difference of two binomial shares (Wilson score). README "Regression gating" says why.
 */
import type { Verdict } from '../assert/verdict.js';
import type { LoadSeries } from '../load/responses.js';
import type { LoadResult } from '../load/types.js';
import { bootstrapQuantileRatio } from '../stats/bootstrap.js';
import { shareDifference } from '../stats/proportion.js';
import { welch } from '../stats/welch.js';
import type { Baseline, BaselineFrame } from './file.js';
import type { Metric, ResolvedThresholds } from './thresholds.js';

export type Outcome = 'pass' | 'regressed' | 'inconclusive';

export interface Comparison {
  /** Which threshold applies (and whether it gates). */
  key: Metric;
  metric: string;
  /** A verdict (true) or reported only. */
  gated: boolean;
  outcome: Outcome;
  baseline: number;
  current: number;
  /** Relative change (throughput, latency) or share points (hotspots), signed: + = higher. */
  change: number;
  low: number;
  high: number;
  threshold: number;
  unit: 'relative' | 'points';
  method: string;
  /** For inconclusive: what to do instead. */
  advice?: string;
}

export interface CurrentRun {
  series: LoadSeries | null;
  rps: number | undefined;
  /** This run's load summary, for the values shown when a comparison is inconclusive. */
  load?: Pick<LoadResult, 'p50_ms' | 'p90_ms' | 'p99_ms'> | null;
  hotspots: { totalSamples: number; frames: BaselineFrame[] };
  durationS: number;
}

/** A percentile needs this many observations beyond it (on its rarer side) in each run. */
const TAIL_OBSERVATIONS = 5;
/** Fewer requests than this per run and no mean or median is trusted. */
const MIN_REQUESTS = 10;
/**
 * CPU per request is counted whole (idle to idle), so its precision is the tick bound, not the request count
 * (bcrypt's work per request is fixed; the unprofiled phase has warmed the app up). Three requests still guard
 * against one odd request deciding alone. Measured: at bcrypt cost 13 on a 2-core VM whose neighbours took 1.7
 * cores, 5 s of load got only 4 requests sent.
 */
const MIN_CPU_REQUESTS = 3;
/** Hotspots are compared when either run gives them at least this self share. */
const HOTSPOT_FLOOR = 0.01;

/** One metric of the gate: which threshold applies, and how a baseline and a run compare on it. */
interface MetricDefinition {
  key: Metric;
  compare(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[];
}

/**
 * Every metric the gate compares, in the order they are reported. Each is one entry: a new metric is one more
 * definition here (and its threshold in thresholds.ts).
 */
const metrics: readonly MetricDefinition[] = [
  { key: 'cpuPerRequest', compare: compareCpuPerRequest },
  { key: 'throughput', compare: compareThroughput },
  { key: 'p50', compare: (b, c, t) => [compareLatency('p50', 0.5, b, c, t)] },
  { key: 'p90', compare: (b, c, t) => [compareLatency('p90', 0.9, b, c, t)] },
  { key: 'p99', compare: (b, c, t) => [compareLatency('p99', 0.99, b, c, t)] },
  { key: 'hotspots', compare: compareHotspots },
];

export function compareToBaseline(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[] {
  return metrics.flatMap((m) => m.compare(baseline, current, thresholds));
}

/**
 * The caller's reading of its interval, since the worse direction differs per metric: `worse` (a regression),
 * and `worstCase`, how far the interval reaches in the worse direction (as a positive change: a rise's upper
 * bound, minus a drop's lower bound).
 */
type Fields = Omit<Comparison, 'key' | 'gated' | 'threshold' | 'outcome' | 'advice'> & { halfWidth: number; worse: boolean; worstCase: number };

/**
 * A comparison from its measured fields: regressed when worse beyond the threshold, inconclusive when the interval
 * is wider than the threshold and could still hide a regression beyond it, pass otherwise.
 */
function outcomeOf(key: Metric, thresholds: ResolvedThresholds, threshold: number, f: Fields, durationS: number): Comparison {
  const { halfWidth, worse, worstCase, ...fields } = f;
  const outcome: Outcome = worse ? 'regressed' : halfWidth > threshold && worstCase > threshold ? 'inconclusive' : 'pass';
  const c: Comparison = { key, gated: thresholds.gate.includes(key), threshold, outcome, ...fields };
  if (outcome === 'inconclusive') c.advice = longerRun(durationS, halfWidth, threshold, f.unit);
  return c;
}

function inconclusive(key: Metric, thresholds: ResolvedThresholds, metric: string, base: number, current: number, threshold: number, unit: Comparison['unit'], method: string, advice: string): Comparison {
  return { key, gated: thresholds.gate.includes(key), metric, outcome: 'inconclusive', baseline: base, current, change: NaN, low: NaN, high: NaN, threshold, unit, method, advice };
}

function compareCpuPerRequest(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[] {
  const t = thresholds.cpuPerRequest;
  const method = 'app CPU time (utime + stime, idle to idle) / requests sent; interval = /proc tick bound (10 ms per reading)';
  const cpuA = baseline.series?.app_cpu_s;
  const cpuB = current.series?.app_cpu_s;
  const nA = baseline.series?.requests_sent ?? 0;
  const nB = current.series?.requests_sent ?? 0;
  const no = (advice: string, a = NaN, b = NaN) => [inconclusive('cpuPerRequest', thresholds, 'cpu per request', a, b, t, 'relative', method, advice)];
  if (cpuA === undefined || cpuB === undefined) {
    return no(`no app CPU time in ${cpuA === undefined ? 'the baseline' : 'this run'}: the target gives no host PID of the app, or the app never went idle after the load (gate without cpuPerRequest: Scenario.regression.gate)`);
  }
  if (nA < MIN_CPU_REQUESTS || nB < MIN_CPU_REQUESTS) {
    return no(
      `${Math.min(nA, nB)} requests; at least ${MIN_CPU_REQUESTS} are needed in each run: run with --duration ${Math.ceil((current.durationS * MIN_CPU_REQUESTS) / Math.max(Math.min(nA, nB), 1)) + 1} or more`,
      (cpuA * 1000) / Math.max(nA, 1),
      (cpuB * 1000) / Math.max(nB, 1),
    );
  }
  // Counted from idle to idle, every request sent is in the window whole: what is left is /proc's 10 ms tick at
  // both readings. Run-to-run variation of the machine itself is what the threshold absorbs (npm run bench).
  const rA = cpuA / nA;
  const rB = cpuB / nB;
  const change = rB / rA - 1;
  const low = Math.max(cpuB - 0.02, 0) / nB / ((cpuA + 0.02) / nA) - 1;
  const high = (cpuB + 0.02) / nB / (Math.max(cpuA - 0.02, 1e-9) / nA) - 1;
  return [
    outcomeOf('cpuPerRequest', thresholds, t, {
      metric: 'cpu per request', baseline: rA * 1000, current: rB * 1000, change, low, high, unit: 'relative',
      method: `${method} (${nA} vs ${nB} requests, ${cpuA.toFixed(2)} vs ${cpuB.toFixed(2)} CPU s)`,
      halfWidth: (high - low) / 2, worse: change > t && low > 0, worstCase: high,
    }, current.durationS),
  ];
}

function compareThroughput(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[] {
  const t = thresholds.throughput;
  const method = 'Welch t-test on mean latency (closed loop: throughput = connections / mean latency)';
  const a = baseline.series;
  const b = current.series;
  const na = a?.latencies_ms.length ?? 0;
  const nb = b?.latencies_ms.length ?? 0;
  if (!a || !b || na < MIN_REQUESTS || nb < MIN_REQUESTS) {
    const n = Math.min(na, nb);
    return [inconclusive('throughput', thresholds, 'throughput', baseline.load?.rps ?? NaN, current.rps ?? NaN, t, 'relative', method,
      !a || !b ? `no per-request latencies in ${!a ? 'the baseline' : 'this run'} (k6 summaries carry none)`
        : `${n} requests; at least ${MIN_REQUESTS} are needed in each run: run with --duration ${Math.ceil((current.durationS * MIN_REQUESTS) / Math.max(n, 1))} or more`)];
  }
  // Little's law: with a fixed number of keep-alive connections each waiting for its answer, throughput is
  // connections / mean latency. Testing the mean of every request's latency uses hundreds of samples where
  // per-second counts give a handful, and is not quantised at low rates (bcrypt: ~5 req/s, 0-10 per second).
  const w = welch(a.latencies_ms, b.latencies_ms, thresholds.confidence);
  const change = 1 / (1 + w.relative) - 1;
  const low = 1 / (1 + w.high) - 1;
  const high = w.low <= -1 ? Infinity : 1 / (1 + w.low) - 1;
  return [
    outcomeOf('throughput', thresholds, t, {
      metric: 'throughput', baseline: baseline.load?.rps ?? NaN, current: current.rps ?? NaN, change, low, high, unit: 'relative',
      method: `${method}, ${na} vs ${nb} requests, p=${formatP(w.p)}`, halfWidth: (high - low) / 2, worse: change < -t && high < 0, worstCase: -low,
    }, current.durationS),
  ];
}

function compareLatency(key: 'p50' | 'p90' | 'p99', q: number, baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison {
  const t = thresholds[key];
  const need = Math.ceil(TAIL_OBSERVATIONS / Math.min(q, 1 - q));
  const method = `bootstrap of the ${key} ratio over per-request latencies`;
  const a = baseline.series;
  const b = current.series;
  const na = a?.latencies_ms.length ?? 0;
  const nb = b?.latencies_ms.length ?? 0;
  if (!a || !b || na < need || nb < need) {
    const n = Math.min(na, nb);
    return inconclusive(key, thresholds, `latency ${key}`, baseline.load?.[`${key}_ms`] ?? NaN, current.load?.[`${key}_ms`] ?? NaN, t, 'relative', method,
      `${n} requests; ${key} needs at least ${need} in each run for ${TAIL_OBSERVATIONS} beyond it: ` +
        (n > 0 ? `run with --duration ${Math.ceil((current.durationS * need) / n)} or more` : 'the run has no per-request latencies'));
  }
  const r = bootstrapQuantileRatio(a.latencies_ms, b.latencies_ms, q, { confidence: thresholds.confidence });
  return outcomeOf(key, thresholds, t, {
    metric: `latency ${key}`, baseline: round(quantileOf(a.latencies_ms, q)), current: round(quantileOf(b.latencies_ms, q)),
    change: r.ratio - 1, low: r.low - 1, high: r.high - 1, unit: 'relative', method: `${method} (${na} vs ${nb} requests)`,
    halfWidth: (r.high - r.low) / 2, worse: r.ratio - 1 > t && r.low > 1, worstCase: r.high - 1,
  }, current.durationS);
}

function compareHotspots(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[] {
  const t = thresholds.hotspotPoints;
  const A = baseline.hotspots;
  const B = current.hotspots;
  const key = (f: BaselineFrame) => `${f.name} (${f.file ?? '?'})`;
  const names = new Map<string, BaselineFrame>();
  for (const [h, f] of [[A, A.frames], [B, B.frames]] as const) {
    for (const frame of f.filter((x) => h.totalSamples > 0 && x.samples / h.totalSamples >= HOTSPOT_FLOOR).slice(0, 5)) names.set(key(frame), frame);
  }
  return [...names.keys()].map((label) => {
    const kA = A.frames.find((f) => key(f) === label)?.samples ?? 0;
    const kB = B.frames.find((f) => key(f) === label)?.samples ?? 0;
    const method = `Newcombe interval of the share difference (${A.totalSamples} vs ${B.totalSamples} samples)`;
    if (A.totalSamples === 0 || B.totalSamples === 0) return inconclusive('hotspots', thresholds, `hotspot ${label}`, NaN, NaN, t, 'points', method, 'a profile without samples');
    const d = shareDifference(kA, A.totalSamples, kB, B.totalSamples, thresholds.confidence);
    return outcomeOf('hotspots', thresholds, t, {
      metric: `hotspot ${label}`, baseline: kA / A.totalSamples, current: kB / B.totalSamples, change: d.estimate, low: d.low, high: d.high,
      unit: 'points', method, halfWidth: (d.high - d.low) / 2, worse: d.estimate > t && d.low > 0, worstCase: d.high,
    }, current.durationS);
  });
}

/** The interval narrows with the square root of the samples: how long until it is as narrow as the threshold. */
function longerRun(durationS: number, halfWidth: number, threshold: number, unit: Comparison['unit'] = 'relative'): string {
  const factor = (halfWidth / threshold) ** 2 * 1.2;
  return `the interval (±${fmt(halfWidth, unit)}) is wider than the threshold: run with --duration ${Math.ceil(durationS * factor)} or more`;
}

export function comparisonVerdict(c: Comparison, confidence: number): Verdict {
  const conf = `${Math.round(confidence * 100)}%`;
  const worse = c.metric === 'throughput' ? 'drop' : 'rise';
  const unitText = c.metric === 'throughput' ? 'req/s' : c.metric === 'cpu per request' ? 'CPU ms' : 'ms';
  const expected = `${worse} <= ${fmt(c.threshold, c.unit)} vs baseline (${c.key === 'cpuPerRequest' ? 'beyond the /proc tick bound' : `${conf} confidence`})`;
  const values = c.unit === 'points'
    ? `${fmt(c.baseline, 'relative')} -> ${fmt(c.current, 'relative')}`
    : `${fmtNum(c.baseline)} -> ${fmtNum(c.current)} ${unitText}`;
  const moved = Number.isNaN(c.change)
    ? values
    : `${signed(c.change, c.unit)} (${values}; ${c.key === 'cpuPerRequest' ? 'tick bound' : `${conf} CI`} ${signed(c.low, c.unit)} .. ${signed(c.high, c.unit)})`;
  const actual = c.outcome === 'pass' ? moved : `${c.outcome}: ${moved}${c.advice ? `; ${c.advice}` : ''}`;
  return { name: `${c.metric} vs baseline`, pass: c.outcome === 'pass', expected, actual, details: c.outcome === 'pass' ? undefined : [c.method] };
}

function quantileOf(values: readonly number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * q;
  return s[Math.floor(h)]! + (h - Math.floor(h)) * (s[Math.ceil(h)]! - s[Math.floor(h)]!);
}

const round = (x: number) => Math.round(x * 100) / 100;
const fmtNum = (x: number) => (Number.isNaN(x) ? '?' : String(round(x)));
function fmt(x: number, unit: Comparison['unit']): string {
  return unit === 'points' ? `${(x * 100).toFixed(1)} points` : `${(x * 100).toFixed(1)}%`;
}
function signed(x: number, unit: Comparison['unit']): string {
  return (x >= 0 ? '+' : '') + (unit === 'points' ? `${(x * 100).toFixed(1)} pt` : `${(x * 100).toFixed(1)}%`);
}
function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Differences between the baseline's environment and this run's that make the comparison less fair. */
export function environmentDifferences(baseline: Record<string, string>, current: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(baseline), ...Object.keys(current)]);
  return [...keys]
    .filter((k) => (baseline[k] ?? '(unset)') !== (current[k] ?? '(unset)'))
    .sort()
    .map((k) => `${k}: ${baseline[k] ?? '(unset)'} -> ${current[k] ?? '(unset)'}`);
}
