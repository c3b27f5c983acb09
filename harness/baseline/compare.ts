/**
 * A run against its baseline, metric by metric, as verdicts. Each metric gets an estimate of its change, a
 * confidence interval, and one of three outcomes:
 *   - regressed:    the change is worse than the threshold AND the interval excludes "no change";
 *   - inconclusive: too few samples, or the interval is wider than the threshold (a change of the threshold's
 *                   size could not be told from noise) — a failed verdict that says how long to run instead;
 *   - pass:         otherwise.
 * Methods: throughput by Welch's t-test over per-second request counts; latency percentiles by a seeded
 * bootstrap of the ratio of percentiles over per-request latencies; hotspot shares by Newcombe's interval for
 * the difference of two binomial shares (Wilson score). README "Regression gating" says why.
 */
import type { Verdict } from '../assert/verdict.js';
import type { LoadSeries } from '../load/series.js';
import { bootstrapQuantileRatio } from '../stats/bootstrap.js';
import { shareDifference } from '../stats/proportion.js';
import { welch } from '../stats/welch.js';
import type { Baseline, BaselineFrame } from './file.js';
import type { ResolvedThresholds } from './thresholds.js';

export type Outcome = 'pass' | 'regressed' | 'inconclusive';

export interface Comparison {
  metric: string;
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
  hotspots: { totalSamples: number; frames: BaselineFrame[] };
  durationS: number;
}

/** A percentile needs this many observations beyond it (on its rarer side) in each run. */
const TAIL_OBSERVATIONS = 5;
const MIN_SECONDS = 3;
/** Hotspots are compared when either run gives them at least this self share. */
const HOTSPOT_FLOOR = 0.01;

export function compareToBaseline(baseline: Baseline, current: CurrentRun, thresholds: ResolvedThresholds): Comparison[] {
  const out: Comparison[] = [];
  const conf = thresholds.confidence;
  const a = baseline.series;
  const b = current.series;
  const pct = `${Math.round(conf * 100)}%`;

  if (thresholds.throughput !== false) {
    const t = thresholds.throughput;
    if (!a || !b || a.per_second.length < MIN_SECONDS || b.per_second.length < MIN_SECONDS) {
      const have = Math.min(a?.per_second.length ?? 0, b?.per_second.length ?? 0);
      out.push(inconclusive('throughput', baseline.load?.rps ?? NaN, current.rps ?? NaN, t, 'relative', 'Welch t-test over per-second request counts',
        !a || !b ? 'no per-second samples in ' + (!a ? 'the baseline' : 'this run') + ' (k6 summaries carry none)'
          : `${have} whole seconds of load; at least ${MIN_SECONDS} are needed: run with --duration ${Math.ceil(current.durationS * MIN_SECONDS / Math.max(have, 1)) + 1} or more`));
    } else {
      const w = welch(a.per_second, b.per_second, conf);
      const halfWidth = (w.high - w.low) / 2;
      const regressed = w.relative < -t && w.high < 0;
      const c: Comparison = {
        metric: 'throughput', baseline: round(w.meanA), current: round(w.meanB), change: w.relative, low: w.low, high: w.high,
        threshold: t, unit: 'relative', method: `Welch t-test over ${a.per_second.length} vs ${b.per_second.length} per-second counts, p=${formatP(w.p)}`,
        outcome: regressed ? 'regressed' : halfWidth > t ? 'inconclusive' : 'pass',
      };
      if (c.outcome === 'inconclusive') c.advice = longerRun(current.durationS, halfWidth, t);
      out.push(c);
    }
  }

  for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99]] as const) {
    const t = thresholds[key];
    if (t === false) continue;
    const need = Math.ceil(TAIL_OBSERVATIONS / Math.min(q, 1 - q));
    const method = `bootstrap of the ${key} ratio over per-request latencies`;
    const na = a?.latencies_ms.length ?? 0;
    const nb = b?.latencies_ms.length ?? 0;
    if (!a || !b || na < need || nb < need) {
      const n = Math.min(na, nb);
      out.push(inconclusive(`latency ${key}`, baseline.load?.[`${key}_ms`] ?? NaN, NaN, t, 'relative', method,
        `${n} requests; ${key} needs at least ${need} in each run for ${TAIL_OBSERVATIONS} beyond it: ` +
          (n > 0 ? `run with --duration ${Math.ceil((current.durationS * need) / n)} or more` : 'the run has no per-request latencies')));
      continue;
    }
    const r = bootstrapQuantileRatio(a.latencies_ms, b.latencies_ms, q, { confidence: conf });
    const halfWidth = (r.high - r.low) / 2;
    const regressed = r.ratio - 1 > t && r.low > 1;
    const c: Comparison = {
      metric: `latency ${key}`, baseline: round(quantileOf(a.latencies_ms, q)), current: round(quantileOf(b.latencies_ms, q)),
      change: r.ratio - 1, low: r.low - 1, high: r.high - 1, threshold: t, unit: 'relative', method: `${method} (${na} vs ${nb} requests)`,
      outcome: regressed ? 'regressed' : halfWidth > t ? 'inconclusive' : 'pass',
    };
    if (c.outcome === 'inconclusive') c.advice = longerRun(current.durationS, halfWidth, t);
    out.push(c);
  }

  if (thresholds.hotspotPoints !== false) {
    const t = thresholds.hotspotPoints;
    const A = baseline.hotspots;
    const B = current.hotspots;
    const key = (f: BaselineFrame) => `${f.name} (${f.file ?? '?'})`;
    const names = new Map<string, BaselineFrame>();
    for (const [h, f] of [[A, A.frames], [B, B.frames]] as const) {
      for (const frame of f.filter((x) => h.totalSamples > 0 && x.samples / h.totalSamples >= HOTSPOT_FLOOR).slice(0, 5)) names.set(key(frame), frame);
    }
    for (const [label] of names) {
      const kA = A.frames.find((f) => key(f) === label)?.samples ?? 0;
      const kB = B.frames.find((f) => key(f) === label)?.samples ?? 0;
      const method = `Newcombe interval of the share difference (${A.totalSamples} vs ${B.totalSamples} samples)`;
      if (A.totalSamples === 0 || B.totalSamples === 0) {
        out.push(inconclusive(`hotspot ${label}`, NaN, NaN, t, 'points', method, 'a profile without samples'));
        continue;
      }
      const d = shareDifference(kA, A.totalSamples, kB, B.totalSamples, conf);
      const halfWidth = (d.high - d.low) / 2;
      const regressed = d.estimate > t && d.low > 0;
      const c: Comparison = {
        metric: `hotspot ${label}`, baseline: kA / A.totalSamples, current: kB / B.totalSamples, change: d.estimate, low: d.low, high: d.high,
        threshold: t, unit: 'points', method, outcome: regressed ? 'regressed' : halfWidth > t ? 'inconclusive' : 'pass',
      };
      if (c.outcome === 'inconclusive') c.advice = longerRun(current.durationS, halfWidth, t, 'points');
      out.push(c);
    }
  }
  return out;
}

/** The interval narrows with the square root of the samples: how long until it is as narrow as the threshold. */
function longerRun(durationS: number, halfWidth: number, threshold: number, unit: Comparison['unit'] = 'relative'): string {
  const factor = (halfWidth / threshold) ** 2 * 1.2;
  return `the interval (±${fmt(halfWidth, unit)}) is wider than the threshold: run with --duration ${Math.ceil(durationS * factor)} or more`;
}

function inconclusive(metric: string, base: number, current: number, threshold: number, unit: Comparison['unit'], method: string, advice: string): Comparison {
  return { metric, outcome: 'inconclusive', baseline: base, current, change: NaN, low: NaN, high: NaN, threshold, unit, method, advice };
}

export function comparisonVerdict(c: Comparison, confidence: number): Verdict {
  const conf = `${Math.round(confidence * 100)}%`;
  const worse = c.metric === 'throughput' ? 'drop' : 'rise';
  const expected = `${worse} <= ${fmt(c.threshold, c.unit)} vs baseline (${conf} confidence)`;
  const values = c.unit === 'points'
    ? `${fmt(c.baseline, 'relative')} -> ${fmt(c.current, 'relative')}`
    : `${fmtNum(c.baseline)} -> ${fmtNum(c.current)} ${c.metric === 'throughput' ? 'req/s' : 'ms'}`;
  const moved = Number.isNaN(c.change)
    ? values
    : `${signed(c.change, c.unit)} (${values}; ${conf} CI ${signed(c.low, c.unit)} .. ${signed(c.high, c.unit)})`;
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
