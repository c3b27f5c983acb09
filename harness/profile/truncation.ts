/**
 * Truncated stacks: py-spy --nonblocking reads the app's memory while it runs, so a sample can catch the frame
 * chain mid-change and stop early. What it then records is the leaf end of the stack without the thread's root
 * frame (`<module>` for the main thread, `_bootstrap` of threading.py for the others): the hot function's
 * samples lose their callers, and every caller's `total` reads low.
 *
 * Detection: a stack is complete when its outermost Python frame is a thread root. Repair: re-root each
 * truncated stack onto the complete stacks that reach the truncated stack's outermost frame, in proportion to
 * their weights (the callers it most likely had). Bound: a caller's true `total` lies between its share counting
 * only the complete (and repaired) stacks that contain it and that share plus every stack left unrepaired.
 */
import { frameKey, type FrameInfo, type Profile, type Sample } from './model.js';

/** The frames a thread's stack starts at. py-spy's `--threads` / `--native` pseudo-frames are skipped first. */
export function isThreadRoot(frame: FrameInfo): boolean {
  if (frame.name === '<module>') return true;
  // py-spy 0.4 prints methods qualified: `Thread._bootstrap (threading.py:995)`.
  if (/(^|\.)_bootstrap$/.test(frame.name) && (frame.file === undefined || /(^|[\\/])threading\.py$/.test(frame.file))) return true;
  return false;
}

/**
 * py-spy's `thread (0x7f..)` / `process 123:"..."` prefixes (with --threads / --subprocesses): not Python frames.
 * On Linux py-spy 0.4 names a thread by its OS id and name: `thread (1705): MainThread`.
 */
export function isPseudoFrame(frame: FrameInfo): boolean {
  return frame.file === undefined && /^(thread \((0x[0-9a-f]+|\d+)\)|process \d+:)/i.test(frame.name);
}

function rootIndex(profile: Profile, sample: Sample): number {
  let i = 0;
  while (i < sample.stack.length - 1 && isPseudoFrame(profile.frames[sample.stack[i]!]!)) i++;
  return i;
}

export function isTruncated(profile: Profile, sample: Sample): boolean {
  return !isThreadRoot(profile.frames[sample.stack[rootIndex(profile, sample)]!]!);
}

export interface Truncation {
  /** Weight of samples without a thread root frame / the profile's total weight, 0..1. */
  fraction: number;
  truncatedWeight: number;
  totalWeight: number;
}

/** The fraction of samples whose stack has no thread root (pure; summary.json: `truncated_fraction`). */
export function truncatedFraction(profile: Profile): Truncation {
  let truncated = 0;
  for (const sample of profile.samples) if (isTruncated(profile, sample)) truncated += sample.weight;
  return { fraction: profile.totalWeight > 0 ? truncated / profile.totalWeight : 0, truncatedWeight: truncated, totalWeight: profile.totalWeight };
}

export interface Repair {
  /** The profile with every truncated stack that could be re-rooted replaced by its re-rooted copies. */
  profile: Profile;
  truncated: Truncation;
  /** Weight that was re-rooted / total weight. */
  repairedFraction: number;
  /** Weight still without a root (its outermost frame was never seen below a root) / total weight. */
  unrepairedFraction: number;
}

/**
 * Re-root truncated stacks onto complete ones. For a truncated stack whose outermost frame is F (by function and
 * file), every complete stack containing F offers the prefix above F's first occurrence, weighted by that
 * stack's weight; the truncated weight is split over those prefixes in proportion. Stacks whose F no complete
 * stack contains stay as they are (counted in `unrepairedFraction`).
 */
export function repairTruncated(profile: Profile): Repair {
  const truncated = truncatedFraction(profile);
  if (truncated.truncatedWeight === 0) return { profile, truncated, repairedFraction: 0, unrepairedFraction: 0 };
  const keyOf = profile.frames.map(frameKey);
  // For each function key: the prefixes (frame ids above its first occurrence) seen in complete stacks, with weights.
  const prefixes = new Map<string, Map<string, { prefix: number[]; weight: number }>>();
  for (const sample of profile.samples) {
    if (isTruncated(profile, sample)) continue;
    const seen = new Set<string>();
    sample.stack.forEach((id, i) => {
      const key = keyOf[id]!;
      if (seen.has(key)) return;
      seen.add(key);
      let byPrefix = prefixes.get(key);
      if (!byPrefix) prefixes.set(key, (byPrefix = new Map()));
      const prefix = sample.stack.slice(0, i);
      const pk = prefix.join(',');
      const entry = byPrefix.get(pk);
      if (entry) entry.weight += sample.weight;
      else byPrefix.set(pk, { prefix, weight: sample.weight });
    });
  }
  const samples: Sample[] = [];
  let repaired = 0;
  for (const sample of profile.samples) {
    if (!isTruncated(profile, sample)) {
      samples.push(sample);
      continue;
    }
    const start = rootIndex(profile, sample);
    const body = sample.stack.slice(start);
    const options = prefixes.get(keyOf[body[0]!]!);
    if (!options || options.size === 0) {
      samples.push(sample);
      continue;
    }
    let sum = 0;
    for (const o of options.values()) sum += o.weight;
    for (const o of options.values()) samples.push({ stack: [...o.prefix, ...body], weight: (sample.weight * o.weight) / sum });
    repaired += sample.weight;
  }
  const total = profile.totalWeight || 1;
  return {
    profile: { ...profile, source: `${profile.source} (truncated stacks re-rooted)`, samples },
    truncated,
    repairedFraction: repaired / total,
    unrepairedFraction: (truncated.truncatedWeight - repaired) / total,
  };
}

export interface TotalBound {
  /** Share of samples whose (complete or re-rooted) stack contains the function. */
  estimate: number;
  /** Share counting complete stacks only: truncated ones may have lost the function. */
  low: number;
  /** low + every truncated stack that does not show the function (it may have been above the cut). */
  high: number;
}

/**
 * Bounds on a function's `total` that truncation allows: `low` counts it only where it is seen in a complete
 * stack or a truncated one that still shows it, `high` adds every truncated stack that does not show it.
 * `estimate` is the re-rooted profile's share.
 */
export function totalBound(profile: Profile, match: (frame: FrameInfo) => boolean, repaired?: Repair): TotalBound {
  const fix = repaired ?? repairTruncated(profile);
  const total = profile.totalWeight || 1;
  let seen = 0;
  let truncatedWithout = 0;
  for (const sample of profile.samples) {
    const has = sample.stack.some((id) => match(profile.frames[id]!));
    if (has) seen += sample.weight;
    else if (isTruncated(profile, sample)) truncatedWithout += sample.weight;
  }
  let est = 0;
  for (const sample of fix.profile.samples) if (sample.stack.some((id) => match(fix.profile.frames[id]!))) est += sample.weight;
  return { estimate: est / total, low: seen / total, high: (seen + truncatedWithout) / total };
}

/**
 * Whether truncation could flip a verdict `total >= threshold` (or `<=`): true when the threshold lies inside
 * the bound, so the verdict depends on where the truncated samples really belonged.
 */
export function truncationCouldFlip(bound: TotalBound, threshold: number): boolean {
  return bound.low < threshold && threshold <= bound.high;
}
