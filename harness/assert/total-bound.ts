/**
 * A verdict on a function's `total` share that knows about truncated stacks (profile/truncation.ts): judged on
 * the re-rooted estimate, with the bound truncation allows in `actual`, and a detail line when the threshold lies
 * inside the bound — the verdict then depends on where the truncated samples really belonged.
 */
import { repairTruncated, totalBound, truncationCouldFlip } from '../profile/truncation.js';
import type { Profile } from '../profile/model.js';
import { matchesFrame, type FrameMatcher } from './hotspot.js';
import { percent, type Verdict } from './verdict.js';

export function checkTotalShare(profile: Profile, matcher: FrameMatcher, options: { atLeast: number; label?: string }): Verdict {
  const repaired = repairTruncated(profile);
  const bound = totalBound(profile, (f) => matchesFrame(f, matcher), repaired);
  const label = options.label ?? (typeof matcher === 'string' ? matcher : matcher.source);
  const flip = truncationCouldFlip(bound, options.atLeast);
  return {
    name: `total ${label}`,
    pass: bound.estimate >= options.atLeast,
    expected: `total share >= ${percent(options.atLeast)} (truncated stacks re-rooted)`,
    actual:
      `${percent(bound.estimate)} (between ${percent(bound.low)} and ${percent(bound.high)} with ${percent(repaired.truncated.fraction)} of ` +
      `${profile.totalWeight} samples truncated)`,
    ...(flip
      ? { details: [`truncation could flip this verdict: the threshold ${percent(options.atLeast)} lies between ${percent(bound.low)} (only where the function is seen) and ${percent(bound.high)} (every truncated stack counted for it)`] }
      : {}),
  };
}
