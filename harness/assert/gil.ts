/**
 * GIL contention as a scenario check: from the default sampler and a second `--gil` sampler over the same window
 * (profile/gil.ts), the share of active samples whose thread did not hold the GIL. A GIL-bound app (threads
 * queueing for the interpreter) shows a large share; an app whose hot work releases the GIL (bcrypt, zlib, I/O)
 * shows one too, for a different reason, so the verdict names the frames where the non-holders sat: GIL waits
 * sit at bytecode boundaries of Python code or right after a syscall, GIL-released work sits in the C call.
 */
import { frameKey, frameStats, type Profile } from '../profile/model.js';
import { gilShares } from '../profile/gil.js';
import { percent, type Verdict } from './verdict.js';

export interface GilContentionOptions {
  /** Least share of active samples without the GIL (0..1): "the app is GIL-bound". */
  atLeast?: number;
  /** Most share of active samples without the GIL (0..1): "the threads do not queue for the GIL". */
  atMost?: number;
}

/** Leaf functions where active samples were more often than the GIL holder's samples: where non-holders sat. */
export function gilWaitFrames(defaultProfile: Profile, gilProfile: Profile, top = 3): { key: string; share: number }[] {
  const held = new Map(frameStats(gilProfile).map((s) => [frameKey(s.frame), s.selfWeight]));
  const scale = gilProfile.totalWeight > 0 ? 1 : 0;
  return frameStats(defaultProfile)
    .map((s) => ({ key: frameKey(s.frame), share: Math.max(0, s.selfWeight - scale * (held.get(frameKey(s.frame)) ?? 0)) / (defaultProfile.totalWeight || 1) }))
    .filter((f) => f.share > 0)
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

export function checkGilContention(defaultProfile: Profile, gilProfile: Profile, options: GilContentionOptions): Verdict {
  const g = gilShares(defaultProfile, gilProfile);
  const bounds = [
    options.atLeast !== undefined ? `>= ${percent(options.atLeast)}` : undefined,
    options.atMost !== undefined ? `<= ${percent(options.atMost)}` : undefined,
  ].filter(Boolean);
  const pass = (options.atLeast === undefined || g.waiting >= options.atLeast) && (options.atMost === undefined || g.waiting <= options.atMost);
  const where = gilWaitFrames(defaultProfile, gilProfile);
  return {
    name: 'GIL contention',
    pass,
    expected: `share of active samples without the GIL ${bounds.join(' and ') || '(any)'}`,
    actual:
      `${percent(g.waiting)} without the GIL (${g.defaultSamples - g.gilSamples > 0 ? g.defaultSamples - g.gilSamples : 0} of ${g.defaultSamples} active samples; ` +
      `${g.gilSamples} samples held it)` +
      (where.length ? `; non-holders sat in ${where.map((w) => `${w.key} ${percent(w.share)}`).join(', ')}` : ''),
    ...(g.defaultSamples === 0 ? { details: ['the default sampler saw no active sample: nothing to judge'] } : {}),
  };
}
