/**
 * Idle samples py-spy could not tell apart. Without --idle py-spy keeps only threads it sees running, judging
 * from the thread's OS state; in blocking mode it stops the process to read it, and a stopped thread's state no
 * longer says whether it was waiting, so a thread parked in `select` counts as busy (the issue measured 14% of
 * samples on the main thread's `selectors.select`). This is the statement of what counts and the filter:
 * a sample whose leaf is a known blocking wait of the standard library is idle.
 */
import type { FrameInfo, Profile } from './model.js';

/** Leaf functions (py-spy's names, with their stdlib file) that only wait: selectors, accept, sleeps, waits. */
export const IDLE_LEAVES: readonly { name: RegExp; file: RegExp }[] = [
  { name: /(^|\.)select$/, file: /(^|[\\/])selectors\.py$/ },
  { name: /(^|\.)(_?accept)$/, file: /(^|[\\/])socket\.py$/ },
  { name: /(^|\.)wait$/, file: /(^|[\\/])threading\.py$/ },
  { name: /(^|\.)(get)$/, file: /(^|[\\/])queue\.py$/ },
  { name: /(^|\.)(sleep)$/, file: /(^|[\\/])asyncio[\\/]tasks\.py$/ },
  { name: /(^|\.)serve_forever$/, file: /(^|[\\/])socketserver\.py$/ },
  // gunicorn, the most common Python app server: a sync worker between requests and the master between checks
  // both sit in select() called from these frames (C below them, so they are the Python leaf).
  { name: /(^|\.)wait$/, file: /(^|[\\/])gunicorn[\\/]workers[\\/]sync\.py$/ },
  { name: /(^|\.)sleep$/, file: /(^|[\\/])gunicorn[\\/]arbiter\.py$/ },
];

export const IDLE_STATEMENT =
  'samples whose innermost Python frame is a standard-library wait (selectors select, socket accept, threading wait, ' +
  'queue get, socketserver serve_forever) or gunicorn\'s worker wait and master sleep are counted idle: blocking sampling cannot see the thread state';

export function isIdleLeaf(frame: FrameInfo): boolean {
  return IDLE_LEAVES.some((l) => l.name.test(frame.name) && (frame.file === undefined || l.file.test(frame.file)));
}

/** The profile without idle-leaf samples, and their share of the original. */
export function dropIdleLeaves(profile: Profile): { profile: Profile; idleFraction: number; statement: string } {
  let idle = 0;
  const samples = profile.samples.filter((s) => {
    const leaf = profile.frames[s.stack[s.stack.length - 1]!]!;
    if (isIdleLeaf(leaf)) {
      idle += s.weight;
      return false;
    }
    return true;
  });
  if (idle === 0) return { profile, idleFraction: 0, statement: IDLE_STATEMENT };
  return {
    profile: { ...profile, source: `${profile.source} (idle leaves dropped)`, samples, totalWeight: profile.totalWeight - idle },
    idleFraction: profile.totalWeight > 0 ? idle / profile.totalWeight : 0,
    statement: IDLE_STATEMENT,
  };
}
