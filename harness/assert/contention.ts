/**
 * Lock contention read from a thread dump: many request threads idle at the same line, waiting for a lock, and
 * one thread holding it in the slow function. A Python lock's acquire is C code, so py-spy shows a waiter as an
 * idle thread whose innermost Python frame is the line with the `with lock:` (or `.acquire()`).
 */
import { frameLabel } from '../profile/model.js';
import type { DumpThread, ThreadDump } from '../profile/pyspy-dump.js';
import type { Verdict } from './verdict.js';

export interface LockWaitOptions {
  /** The function whose `with lock:` the waiters are stuck on. */
  waitingIn: RegExp;
  /** The slow function the holder runs while holding the lock. */
  holder: RegExp;
  /** Minimum number of threads blocked at the lock. */
  atLeast: number;
}

export function blockedThreads(dump: ThreadDump, waitingIn: RegExp): DumpThread[] {
  return dump.threads.filter((t) => t.idle && t.frames[0] !== undefined && waitingIn.test(t.frames[0].name));
}

export function holderThreads(dump: ThreadDump, holder: RegExp): DumpThread[] {
  return dump.threads.filter((t) => t.frames.some((f) => holder.test(f.name)));
}

/** Of several dumps, the verdict reads the one with the holder seen and the most waiters (one instant can miss). */
export function checkLockContention(dumps: ThreadDump[], options: LockWaitOptions): Verdict[] {
  const scored = dumps.map((d) => ({ d, blocked: blockedThreads(d, options.waitingIn), holders: holderThreads(d, options.holder) }));
  scored.sort((a, b) => Number(b.holders.length > 0) - Number(a.holders.length > 0) || b.blocked.length - a.blocked.length);
  const best = scored[0];
  const blocked = best?.blocked ?? [];
  const holders = best?.holders ?? [];
  const where = blocked[0]?.frames[0];
  const holderStack = holders[0]?.frames.slice(0, 3).map(frameLabel).join(' <- ');
  return [
    {
      name: 'threads blocked on the lock',
      pass: blocked.length >= options.atLeast,
      expected: `>= ${options.atLeast} threads idle in ${options.waitingIn.source} (waiting to acquire the lock)`,
      actual: `${blocked.length} of ${best?.d.threads.length ?? 0} threads${where ? ` at ${frameLabel(where)}` : ''} (best of ${dumps.length} dumps)`,
      details: best?.d.threads.map((t) => `${t.name} (${t.status}): ${t.frames.slice(0, 2).map(frameLabel).join(' <- ')}`),
    },
    {
      name: 'lock holder',
      pass: holders.length === 1,
      expected: `exactly one thread inside ${options.holder.source} (the lock's holder)`,
      actual: holders.length ? `${holders.length} thread(s): ${holders.map((t) => `${t.name} (${t.status})`).join(', ')}: ${holderStack}` : 'no thread in it',
    },
  ];
}
