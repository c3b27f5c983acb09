/** Verdicts over a memray capture: which code holds the memory that was not given back. */
import type { MemoryCapture, MemorySite } from '../profile/memory.js';
import { percent, type Verdict } from './verdict.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** One line per site: size, count, then the stack from the leaf down to the first frames that say where. */
export function describeSite(site: MemorySite, frames = 4): string {
  const stack = site.stack.slice(0, frames).map((f) => `${f.function} (${shortFile(f.file)}:${f.line})`);
  return `${formatBytes(site.bytes)} in ${site.allocations} allocations: ${stack.join(" <- ") || "(no Python frame: the interpreter itself)"}`;
}

/**
 * The top site by memory still held must run through `fn` (a function name, matched anywhere in its stack:
 * the allocating leaf is usually library code such as json's encoder, called by the leaking function).
 */
export function checkTopHeldSite(capture: MemoryCapture, fn: RegExp, label: string): Verdict {
  const top = capture.sites[0];
  const inTop = top?.stack.find((f) => fn.test(f.function));
  const underFn = capture.sites.filter((s) => s.stack.some((f) => fn.test(f.function))).reduce((sum, s) => sum + s.bytes, 0);
  const share = capture.heldBytes > 0 ? underFn / capture.heldBytes : 0;
  return {
    name: `leak ${label}`,
    pass: Boolean(inTop),
    expected: `the top allocation site by memory still held runs through ${label}`,
    actual: top
      ? `top site ${describeSite(top, 1)}${inTop ? ` called from ${inTop.function} (${shortFile(inTop.file)}:${inTop.line})` : ''}; ` +
        `${label} holds ${formatBytes(underFn)} of ${formatBytes(capture.heldBytes)} still held (${percent(share)})`
      : 'no allocation was still held at the end of the window',
    details: capture.sites.slice(0, 5).map((s) => describeSite(s)),
  };
}

/** Paths inside a shiv zipapp's extraction or a venv are long: keep the part a reader recognises. */
export function shortFile(file: string): string {
  const m = /(?:site-packages|python3\.\d+)\/(.*)$/.exec(file);
  return m ? m[1]! : file;
}
