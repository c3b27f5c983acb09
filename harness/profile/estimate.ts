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

export interface WallClockCheck {
  /** GIL-holder sample-seconds (samples / rate) over the app's CPU seconds in the same window. */
  ratio: number;
  /** True when ratio > 1 + tolerance: the GIL holder often waited for a core, so shares describe wall time. */
  inflated: boolean;
  message?: string;
}

/**
 * py-spy samples wall-clock time: a thread that holds the GIL while the OS has it waiting for a core counts as
 * running. When the GIL sampler's sample-seconds exceed the app's CPU seconds (from /proc, the local target's
 * `appCpu`), the machine was oversubscribed and no share is a CPU share. Measured on the ground-truth pure-Python
 * app at load average 18 on 2 cores: ratio 1.40 and the estimate 12 points low; at a quieter moment the same
 * estimate was within 1.4 points.
 */
export function wallClockCheck(gilSamples: number, rateHz: number, appCpuSeconds: number, tolerance = 0.1): WallClockCheck {
  const ratio = appCpuSeconds > 0 ? gilSamples / rateHz / appCpuSeconds : Number.NaN;
  const inflated = Number.isFinite(ratio) && ratio > 1 + tolerance;
  return {
    ratio,
    inflated,
    ...(inflated
      ? { message: `the GIL was held for ${ratio.toFixed(2)}x the app's CPU time: its threads waited for a core (an oversubscribed machine), so the shares describe wall-clock time, not CPU time` }
      : {}),
  };
}
