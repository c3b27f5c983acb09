/**
 * Which number estimates a function's share of the app's CPU time. A share of py-spy's non-idle samples counts
 * every thread py-spy thinks is running; measured on the ground-truth apps (bench/truth.ts), that includes threads
 * waiting to get the GIL back (after a socket write, between bytecodes under contention): a 2-connection pure-Python
 * service read 49% for a call that took 89% of the process's CPU. A second sampler with `--gil` records only the
 * thread holding the GIL, so waits cannot count as work; its share is the estimate when given, scaled to the app's
 * CPU when the app's CPU is known and its threads do not take turns at the GIL (cpuShare). It cannot see code
 * that releases the GIL (bcrypt, zlib): for such apps use the default sampler (pass no GIL profile).
 * Either way truncated stacks are re-rooted first (truncation.ts).
 */
import type { FrameInfo, Profile } from './model.js';
import { gilShares } from './gil.js';
import { repairTruncated } from './truncation.js';

export interface ShareEstimate {
  /** Estimated share of the process's CPU time spent with `match` on the stack, 0..1. */
  share: number;
  method: 'gil sampler, re-rooted' | 'default sampler, re-rooted' | ReleasedGilEstimate['method'];
}

/** The app's CPU over the samplers' window (/proc, or the app's own count) and the samplers' rate. */
export interface AppCpu {
  cpuSeconds: number;
  rateHz: number;
}

/**
 * Below this share of active samples without the GIL (profile/gil.ts `waiting`), the app's threads do not take
 * turns at the GIL, so GIL-held time short of the app's CPU is CPU run with the GIL released. Measured
 * (bench/truth.ts, 8 s windows): the single-threaded asyncio app 1.8-3.1 %, the C-encoder app 6.6-7.0 % (its GIL
 * was held as long as its CPU ran, so nothing is scaled), the two-thread pure-Python app 26-29 %, the threads app
 * 31-32 %.
 */
export const TURN_TAKING_WAITING = 0.15;

export function shareContaining(profile: Profile, match: (frame: FrameInfo) => boolean): number {
  let w = 0;
  for (const s of profile.samples) if (s.stack.some((id) => match(profile.frames[id]!))) w += s.weight;
  return profile.totalWeight > 0 ? w / profile.totalWeight : 0;
}

/**
 * With `app` (its CPU over the window), the GIL share is also scaled to the app's CPU when the app's threads do not
 * take turns at the GIL (cpuShareWithReleasedGil). Why only then: GIL-held time falls short of the app's CPU for
 * two reasons. CPU with the GIL released (an event loop's socket calls) lies outside the hot call, and scaling
 * removes it from the share: the asyncio ground-truth app read +3.8..+5.7 points without it and -2.6..0.0 with it.
 * Threads taking turns lose GIL-held time at every hand-over, inside whatever code they run, hot or not: there
 * the pure-Python app's hot call and the whole app both held the GIL for 0.89 of their CPU, the plain GIL share
 * read +0.2..+1.4 and the scaled one -9 (bench/truth.ts).
 */
export function cpuShare(defaultProfile: Profile, gilProfile: Profile | undefined, match: (frame: FrameInfo) => boolean, app?: AppCpu): ShareEstimate {
  if (gilProfile && gilProfile.totalWeight > 0) {
    if (app && gilShares(defaultProfile, gilProfile).waiting < TURN_TAKING_WAITING) {
      const scaled = cpuShareWithReleasedGil(gilProfile, app.rateHz, app.cpuSeconds, match);
      if (scaled && scaled.ratio < 1) return { share: scaled.share, method: scaled.method };
    }
    return { share: shareContaining(repairTruncated(gilProfile).profile, match), method: 'gil sampler, re-rooted' };
  }
  return { share: shareContaining(repairTruncated(defaultProfile).profile, match), method: 'default sampler, re-rooted' };
}

export interface ReleasedGilEstimate {
  share: number;
  method: 'gil sampler, re-rooted, scaled to the app\'s CPU';
  /** GIL-held sample-seconds over the app's CPU seconds: below 1, that much of the CPU ran with the GIL released. */
  ratio: number;
}

/**
 * The GIL sampler's share counts only GIL-held time, but the app's CPU also runs with the GIL released (socket
 * calls, C code that drops it): that CPU is in a CPU share's denominator and in no GIL sample. When the GIL was
 * held for less than the app's CPU time (`ratio` < 1, from the app's CPU over the sampler's window), the hot call's
 * GIL-held seconds over the app's CPU seconds is the share: the GIL share times `ratio`. Measured need: the asyncio
 * ground-truth app ran 6-9% of its CPU outside the GIL (ratio 0.91-0.94) and the plain GIL share read +3.6 and +4.7
 * points high (bench/truth.ts). Above 1 the holder waited for a core (wallClockCheck): the ratio then measures the
 * machine, not the app, and the share is left as the GIL sampler read it.
 */
export function cpuShareWithReleasedGil(gilProfile: Profile, rateHz: number, appCpuSeconds: number, match: (frame: FrameInfo) => boolean): ReleasedGilEstimate | undefined {
  if (!(gilProfile.totalWeight > 0 && appCpuSeconds > 0 && rateHz > 0)) return undefined;
  const { ratio } = wallClockCheck(gilProfile.totalWeight, rateHz, appCpuSeconds);
  const share = shareContaining(repairTruncated(gilProfile).profile, match) * Math.min(1, ratio);
  return { share, method: 'gil sampler, re-rooted, scaled to the app\'s CPU', ratio };
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

/** The OS thread id py-spy --threads put first on a stack (`thread (1705): MainThread`), or undefined. */
export function threadIdOf(profile: Profile, stack: readonly number[]): string | undefined {
  const first = stack.length ? profile.frames[stack[0]!]! : undefined;
  return first && first.file === undefined ? /^thread \((\d+)\)/.exec(first.name)?.[1] : undefined;
}

export interface ThreadWeightedEstimate {
  share: number;
  method: 'gil sampler per thread, weighted by thread CPU';
  /** CPU seconds of threads that had CPU time but no sample (their time counts in the denominator only). */
  unsampledCpuS: number;
}

/**
 * A share of CPU time from per-thread CPU (from /proc/<pid>/task/<tid>/stat over the sampling window) and a GIL
 * sampler's stacks tagged by thread (py-spy --threads): each thread's CPU is split by where its own GIL-held samples
 * were. Why: a GIL sample is wall-clock time. When the machine has no spare core, the OS deschedules a thread while
 * it holds the GIL, and a CPU-bound thread is preempted more often than one that wakes from I/O, so its GIL-held
 * wall time overstates its CPU: the ground-truth 'threads' app read 9.7% for a call that took 15.6% of the CPU at
 * 0.01 spare cores (bench/truth.ts). Within one thread, descheduling hits its code alike; across threads only the
 * OS's CPU accounting is fair. Samples without a thread id (no --threads) make this return undefined.
 */
export function cpuShareByThread(gilProfile: Profile, threadCpuS: ReadonlyMap<string, number>, match: (frame: FrameInfo) => boolean): ThreadWeightedEstimate | undefined {
  const perThread = new Map<string, { all: number; hit: number }>();
  for (const s of gilProfile.samples) {
    const tid = threadIdOf(gilProfile, s.stack);
    if (tid === undefined) return undefined;
    const t = perThread.get(tid) ?? { all: 0, hit: 0 };
    t.all += s.weight;
    if (s.stack.some((id) => match(gilProfile.frames[id]!))) t.hit += s.weight;
    perThread.set(tid, t);
  }
  let cpu = 0;
  let hot = 0;
  let unsampled = 0;
  for (const [tid, seconds] of threadCpuS) {
    cpu += seconds;
    const t = perThread.get(tid);
    if (t && t.all > 0) hot += (seconds * t.hit) / t.all;
    else unsampled += seconds;
  }
  return cpu > 0 ? { share: hot / cpu, method: 'gil sampler per thread, weighted by thread CPU', unsampledCpuS: unsampled } : undefined;
}
