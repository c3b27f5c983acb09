/**
 * The regression gate as run.ts uses it: what a baseline records about where it was taken, building one from a
 * finished run, and turning a comparison into verdicts + warnings + the `baseline` block of summary.json.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import type { Verdict } from '../assert/verdict.js';
import type { Hotspot } from '../assert/hotspot.js';
import type { LoadSeries } from '../load/responses.js';
import type { LoadResult } from '../load/types.js';
import type { Sampling } from '../observer/effect.js';
import { compareToBaseline, comparisonVerdict, environmentDifferences, type Comparison } from './compare.js';

/** A comparison that is reported but not gated, as one line: `INFO throughput vs baseline: …`. */
export function formatInfo(c: Comparison, confidence = 0.95): string {
  const v = comparisonVerdict(c, confidence);
  return `INFO ${v.name} (not gated): ${v.actual}`;
}
import { BASELINE_SCHEMA, type Baseline, type BaselineFrame } from './file.js';
import type { ProfileDiffBlock } from './stacks.js';
import { resolveThresholds, type RegressionThresholds } from './thresholds.js';

const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

export interface GateInput {
  target: string;
  python?: string;
  generator: string;
  connections: number;
  durationS: number;
  sampling: Sampling | null;
  appEnv: Record<string, string>;
}

/** Only what makes two runs comparable, nothing that changes every run (container names, PIDs). */
export function gateEnvironment(input: GateInput): Record<string, string> {
  const cpus = os.cpus();
  return {
    target: input.target,
    cores: String(cpus.length),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    holistic: version,
    ...(input.python ? { python: input.python } : {}),
    'load generator': `${input.generator}, ${input.connections} connections`,
    duration_s: String(input.durationS),
    sampling: input.sampling ? `py-spy ${input.sampling.mode}, ${input.sampling.samplers} sampler(s) at ${input.sampling.rate_hz} Hz` : 'none',
    ...Object.fromEntries(Object.entries(input.appEnv).map(([k, v]) => [`app env ${k}`, v])),
  };
}

export function hotspotCounts(hotspots: Hotspot[], totalSamples: number): Baseline['hotspots'] {
  return { totalSamples, frames: hotspots.map((h): BaselineFrame => ({ name: h.name, file: h.file, samples: h.samples })) };
}

export function makeBaseline(input: {
  scenario: string;
  runId: string;
  environment: Record<string, string>;
  load: LoadResult | null;
  series: LoadSeries | null;
  hotspots: Baseline['hotspots'];
  collapsed?: string[];
}): Baseline {
  return { schema: BASELINE_SCHEMA, createdAt: new Date().toISOString(), ...input };
}

export interface BaselineBlock {
  file: string;
  createdAt: string;
  runId: string;
  comparisons: Comparison[];
  environmentDifferences: string[];
  /** The functions whose self share changed against the baseline's stacks, or why there is no such diff. */
  profileDiff?: ProfileDiffBlock;
}

export function gate(
  file: string,
  baseline: Baseline,
  current: { series: LoadSeries | null; load: LoadResult | null; hotspots: Baseline['hotspots']; durationS: number; environment: Record<string, string> },
  overrides: RegressionThresholds | undefined,
): { verdicts: Verdict[]; warnings: string[]; block: BaselineBlock } {
  const thresholds = resolveThresholds(overrides);
  const comparisons = compareToBaseline(baseline, { series: current.series, rps: current.load?.rps, load: current.load, hotspots: current.hotspots, durationS: current.durationS }, thresholds);
  const differences = environmentDifferences(baseline.environment, current.environment);
  const warnings = differences.length
    ? [`this run's environment differs from the baseline's (${file}, ${baseline.createdAt}); the comparison may be unfair: ${differences.join('; ')}`]
    : [];
  return {
    verdicts: comparisons.filter((c) => c.gated).map((c) => comparisonVerdict(c, thresholds.confidence)),
    warnings,
    block: { file, createdAt: baseline.createdAt, runId: baseline.runId, comparisons, environmentDifferences: differences },
  };
}
