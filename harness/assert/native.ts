/** Verdicts over a native CPU profile (bpftrace): which machine code the app's CPU time goes to. */
import type { NativeProfile } from '../profile/native.js';
import { percent, type Verdict } from './verdict.js';

/** Samples whose code lives in a file matching `object` must be at least `atLeast` of all, and hold the top symbol. */
export function checkNativeShare(profile: NativeProfile, object: RegExp, options: { atLeast: number; label: string }): Verdict {
  const inside = profile.symbols.filter((s) => object.test(s.object)).reduce((sum, s) => sum + s.samples, 0);
  const share = profile.totalSamples > 0 ? inside / profile.totalSamples : 0;
  const top = profile.symbols[0];
  const topInside = top !== undefined && object.test(top.object);
  return {
    name: `native ${options.label}`,
    pass: share >= options.atLeast && topInside,
    expected: `>= ${percent(options.atLeast, 0)} of the app's CPU samples in ${options.label}, including the top symbol`,
    actual: `${percent(share)} (${inside} of ${profile.totalSamples} samples); top symbol ${top ? `${top.symbol} (${basename(top.object)}) ${top.samples}` : 'none'}`,
    details: profile.symbols.slice(0, 8).map((s) => `${s.samples} ${percent(s.samples / Math.max(1, profile.totalSamples))} ${s.symbol} (${basename(s.object)})`),
  };
}

/** A uprobe on `fn` fired: the native function is really called, `calls` times. */
export function checkNativeCalls(profile: NativeProfile, fn: string, atLeast = 1): Verdict {
  const calls = profile.calls[fn] ?? 0;
  return {
    name: `uprobe ${fn}`,
    pass: calls >= atLeast,
    expected: `>= ${atLeast} calls of ${fn} counted by a uprobe on ${basename(profile.probedLibrary)}`,
    actual: `${calls} calls` + (Object.keys(profile.calls).length > 1 ? ` (also probed: ${Object.entries(profile.calls).filter(([k]) => k !== fn).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''),
  };
}

function basename(file: string): string {
  return file.split('/').pop() ?? file;
}
