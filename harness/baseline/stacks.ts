/**
 * The baseline's own profile, kept as collapsed stacks (`a;b;c N`, toCollapsed) so a later run can draw what
 * changed (report/baseline-diff.ts) instead of only the top hotspots' counts. Baselines saved before this field
 * existed have no stacks: they still gate, and the report says how to re-save one with them.
 */
import { diffProfiles, type FunctionChange } from '../profile/diff.js';
import type { Profile } from '../profile/model.js';
import { parsePySpyRaw } from '../profile/pyspy-raw.js';
import { repairTruncated } from '../profile/truncation.js';
import type { Baseline } from './file.js';

/**
 * The baseline's profile from its stacks, or undefined when the file has none (saved by an older holistic). The
 * file keeps the stacks as py-spy recorded them (integer counts, readable by `holistic diff`); they are re-rooted
 * here as the run's own profile is (truncation.ts), so both sides of the diff are treated alike.
 */
export function baselineProfile(baseline: Baseline, file: string): Profile | undefined {
  if (!baseline.collapsed) return undefined;
  // An empty recording (an idle app) is still a profile: the diff then says there is nothing to compare.
  const recorded = parsePySpyRaw(baseline.collapsed.map((l) => `${l}\n`).join(''), file, { allowEmpty: true });
  return { ...repairTruncated(recorded).profile, source: `baseline stacks (${file})` };
}

/** How to get a baseline with stacks: what the report and summary.json say when the file has none. */
export function noStacksAdvice(file: string): string {
  return `the baseline ${file} has no stacks (saved by an older holistic, before baselines kept the profile): ` +
    `re-save it with --save-baseline ${file} on a passing run to see the differential flame graph`;
}

/** One function whose self share moved beyond its interval, as summary.json carries it (shares 0..1). */
export interface ChangedFunction {
  function: string;
  kind: FunctionChange['kind'];
  self_baseline: number;
  self_current: number;
  /** self_current - self_baseline, with its interval (Newcombe, 95%). */
  change: number;
  low: number;
  high: number;
}

/** summary.json's baseline.profileDiff: the functions that changed, or why there is no diff. */
export type ProfileDiffBlock =
  | { stacks: true; samplesBaseline: number; samplesCurrent: number; thresholdPoints: number; changed: ChangedFunction[] }
  | { stacks: false; advice: string };

/** Functions whose self share changed with the interval excluding zero, by at least `thresholdPoints`. */
export function changedFunctions(baseline: Profile, current: Profile, thresholdPoints: number): ChangedFunction[] {
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return diffProfiles(baseline, current)
    .changes.filter((c) => c.kind !== 'unchanged' && Math.abs(c.delta.estimate) * 100 >= thresholdPoints)
    .map((c) => ({ function: c.key, kind: c.kind, self_baseline: r(c.selfA), self_current: r(c.selfB), change: r(c.delta.estimate), low: r(c.delta.low), high: r(c.delta.high) }));
}

export function profileDiffBlock(file: string, baseline: Profile | undefined, current: Profile | undefined, thresholdPoints: number): ProfileDiffBlock {
  if (!baseline) return { stacks: false, advice: noStacksAdvice(file) };
  if (!current) return { stacks: false, advice: 'this run has no profile to compare with the baseline\'s stacks' };
  return { stacks: true, samplesBaseline: baseline.totalWeight, samplesCurrent: current.totalWeight, thresholdPoints, changed: changedFunctions(baseline, current, thresholdPoints) };
}

/** The baseline's stacks against this run's profile: the summary block, and the baseline profile for the report. */
export function compareStacks(file: string, baseline: Baseline, current: Profile | undefined, thresholdPoints = 1): { block: ProfileDiffBlock; profile: Profile | undefined } {
  const profile = baselineProfile(baseline, file);
  return { block: profileDiffBlock(file, profile, current, thresholdPoints), profile };
}
