/**
 * The difference of two profiles, per function: how each function's self share (its share of samples as the
 * leaf, frames merged by function and file as frameStats merges them) moved from A (the baseline) to B (the
 * current profile). Shares are normalised to each profile's own sample total, so a longer recording is not "more".
 * Each change carries Newcombe's interval for the difference of two proportions (stats/proportion.ts).
 *
 * The interval treats samples as independent draws. py-spy's samples of one thread are correlated in time
 * (a 5 ms call is sampled on consecutive ticks), so the true uncertainty is wider: a gate should combine the
 * interval with a threshold in points (harness/diff.ts), as peers gate on ranks and shares with sample-size
 * guards rather than on bare deltas.
 */
import { shareDifference, type Interval } from '../stats/proportion.js';
import { frameKey, frameStats, type FrameInfo, type Profile } from './model.js';

export type ChangeKind = 'grew' | 'shrank' | 'new' | 'vanished' | 'unchanged';

export interface FunctionChange {
  /** frameKey: `name (file)`. */
  key: string;
  frame: FrameInfo;
  /** Self shares, 0..1, in A and B. */
  selfA: number;
  selfB: number;
  totalA: number;
  totalB: number;
  /** selfB - selfA with its interval, in share units (0.05 = 5 points). */
  delta: Interval;
  /**
   * grew / shrank: the interval excludes zero; new / vanished: absent from one side (and the interval excludes
   * zero: a function seen once is not "new"); unchanged otherwise.
   */
  kind: ChangeKind;
}

export interface ProfileDiff {
  samplesA: number;
  samplesB: number;
  confidence: number;
  /** Every function seen in either profile, largest |delta| first. */
  changes: FunctionChange[];
}

export function diffProfiles(a: Profile, b: Profile, options: { confidence?: number } = {}): ProfileDiff {
  const confidence = options.confidence ?? 0.95;
  const statsA = new Map(frameStats(a).map((s) => [frameKey(s.frame), s]));
  const statsB = new Map(frameStats(b).map((s) => [frameKey(s.frame), s]));
  const keys = new Set([...statsA.keys(), ...statsB.keys()]);
  const changes: FunctionChange[] = [];
  for (const key of keys) {
    const sa = statsA.get(key);
    const sb = statsB.get(key);
    const delta = shareDifference(sa?.selfWeight ?? 0, a.totalWeight, sb?.selfWeight ?? 0, b.totalWeight, confidence);
    const significant = delta.low > 0 || delta.high < 0;
    let kind: ChangeKind = 'unchanged';
    if (significant) {
      if (!sa || sa.selfWeight === 0) kind = 'new';
      else if (!sb || sb.selfWeight === 0) kind = 'vanished';
      else kind = delta.estimate > 0 ? 'grew' : 'shrank';
    }
    changes.push({
      key,
      frame: (sb ?? sa)!.frame,
      selfA: sa?.self ?? 0,
      selfB: sb?.self ?? 0,
      totalA: sa?.total ?? 0,
      totalB: sb?.total ?? 0,
      delta,
      kind,
    });
  }
  changes.sort((x, y) => Math.abs(y.delta.estimate) - Math.abs(x.delta.estimate) || x.key.localeCompare(y.key));
  return { samplesA: a.totalWeight, samplesB: b.totalWeight, confidence, changes };
}

/** Functions whose self share grew (or appeared) by more than `thresholdPoints` with the interval above zero. */
export function regressions(diff: ProfileDiff, thresholdPoints: number): FunctionChange[] {
  return diff.changes.filter((c) => (c.kind === 'grew' || c.kind === 'new') && c.delta.estimate * 100 > thresholdPoints && c.delta.low > 0);
}

/** Per-frame-key self share change (selfB - selfA), for colouring a flame graph. */
export function deltaByKey(diff: ProfileDiff): Map<string, FunctionChange> {
  return new Map(diff.changes.map((c) => [c.key, c]));
}
