/**
 * Hotspot checks on a Profile: "this function is where the time goes". Shares are of non-idle samples
 * (py-spy without --idle only records threads that run), `self` = the frame is the leaf, `total` = the frame
 * is anywhere on the stack.
 */
import { frameKey, frameLabel, frameStats, type FrameInfo, type Profile } from '../profile/model.js';
import { percent, type Verdict } from './verdict.js';

export type FrameMatcher = RegExp | string;

export interface HotspotOptions {
  /** Minimum share, 0..1. */
  atLeast?: number;
  /** At most this share, 0..1 (e.g. "logging must stay under 5%"). */
  atMost?: number;
  /** `self` (default): samples whose leaf matches; `total`: samples whose stack contains a match. */
  by?: 'self' | 'total';
  /** Also require the top-ranked frame by self share to match. */
  top?: boolean;
  /** Name of the verdict (default: the matcher's text). */
  label?: string;
}

export interface Hotspot {
  name: string;
  file: string | undefined;
  self: number;
  total: number;
  samples: number;
}

/** A string matches a function name exactly; a RegExp is tested on `name (file:line)`. */
export function matchesFrame(frame: FrameInfo, matcher: FrameMatcher): boolean {
  if (typeof matcher === 'string') return frame.name === matcher || frame.name.endsWith(`.${matcher}`);
  matcher.lastIndex = 0;
  return matcher.test(frameLabel(frame));
}

/** Share of samples where a matching frame is the leaf (self) or anywhere on the stack (total). */
export function shareOf(profile: Profile, matcher: FrameMatcher, by: 'self' | 'total'): { share: number; weight: number } {
  const matching = new Set<number>();
  profile.frames.forEach((frame, id) => matchesFrame(frame, matcher) && matching.add(id));
  let weight = 0;
  for (const sample of profile.samples) {
    const hit =
      by === 'self'
        ? matching.has(sample.stack[sample.stack.length - 1]!)
        : sample.stack.some((id) => matching.has(id));
    if (hit) weight += sample.weight;
  }
  return { share: profile.totalWeight ? weight / profile.totalWeight : 0, weight };
}

/** The top frames by self share, as summary.json lists them. */
export function hotspots(profile: Profile, limit = 10): Hotspot[] {
  return frameStats(profile)
    .filter((s) => s.selfWeight > 0)
    .slice(0, limit)
    .map((s) => ({ name: s.frame.name, file: s.frame.file, self: s.self, total: s.total, samples: s.selfWeight }));
}

export function describeTop(profile: Profile, limit = 5): string[] {
  return frameStats(profile)
    .slice(0, limit)
    .map((s, i) => `${i + 1}. ${frameKey(s.frame)}  self ${percent(s.self)}  total ${percent(s.total)}  (${s.selfWeight} samples)`);
}

export function checkHotspot(profile: Profile, matcher: FrameMatcher, options: HotspotOptions = {}): Verdict {
  const by = options.by ?? 'self';
  const { share, weight } = shareOf(profile, matcher, by);
  const label = options.label ?? (typeof matcher === 'string' ? matcher : matcher.source);
  const conditions: string[] = [];
  const holds: boolean[] = [];
  if (options.atLeast !== undefined) {
    conditions.push(`${by} share >= ${percent(options.atLeast, 0)}`);
    holds.push(share >= options.atLeast);
  }
  if (options.atMost !== undefined) {
    conditions.push(`${by} share <= ${percent(options.atMost, 0)}`);
    holds.push(share <= options.atMost);
  }
  const top = frameStats(profile)[0];
  if (options.top) {
    conditions.push('ranked first by self share');
    holds.push(top !== undefined && matchesFrame(top.frame, matcher));
  }
  if (holds.length === 0) holds.push(weight > 0);
  const pass = holds.every(Boolean);
  const actual =
    `${percent(share)} (${weight} of ${profile.totalWeight} samples)` +
    (options.top && top ? `; top frame ${frameKey(top.frame)} at ${percent(top.self)}` : '');
  return {
    name: `hotspot ${label}`,
    pass,
    expected: conditions.length ? conditions.join(', ') : 'present in the profile',
    actual: weight === 0 ? `not in the profile (${profile.totalWeight} samples)` : actual,
    details: pass ? undefined : ['top frames by self share:', ...describeTop(profile)],
  };
}
