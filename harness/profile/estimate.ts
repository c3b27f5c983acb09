/**
 * Which number estimates a function's share of the app's CPU time. A share of py-spy's non-idle samples counts
 * every thread py-spy thinks is running; measured on the ground-truth apps (bench/truth.ts), that includes threads
 * waiting to get the GIL back (after a socket write, between bytecodes under contention): a 2-connection pure-Python
 * service read 49% for a call that took 89% of the process's CPU. A second sampler with `--gil` records only the
 * thread holding the GIL, so waits cannot count as work; its share is the estimate when given. It cannot see code
 * that releases the GIL (bcrypt, zlib): for such apps use the default sampler (pass no GIL profile).
 * Either way truncated stacks are re-rooted first (truncation.ts).
 */
import type { FrameInfo, Profile } from './model.js';
import { repairTruncated } from './truncation.js';

export interface ShareEstimate {
  /** Estimated share of the process's CPU time spent with `match` on the stack, 0..1. */
  share: number;
  method: 'gil sampler, re-rooted' | 'default sampler, re-rooted';
}

export function shareContaining(profile: Profile, match: (frame: FrameInfo) => boolean): number {
  let w = 0;
  for (const s of profile.samples) if (s.stack.some((id) => match(profile.frames[id]!))) w += s.weight;
  return profile.totalWeight > 0 ? w / profile.totalWeight : 0;
}

export function cpuShare(defaultProfile: Profile, gilProfile: Profile | undefined, match: (frame: FrameInfo) => boolean): ShareEstimate {
  if (gilProfile && gilProfile.totalWeight > 0) return { share: shareContaining(repairTruncated(gilProfile).profile, match), method: 'gil sampler, re-rooted' };
  return { share: shareContaining(repairTruncated(defaultProfile).profile, match), method: 'default sampler, re-rooted' };
}
