/**
 * Failpoints for the fault tests: some windows of a run last milliseconds (copying a profile out, writing the
 * report), too short for a test to land a signal in them on purpose. `HOLISTIC_PAUSE_AT=copy:3000,report:3000`
 * holds the run at those points for that long, and says so in its progress lines, so a test can interrupt
 * it exactly there. Unset (always, in normal use) it costs nothing. The idea is etcd's gofail, without the
 * code generation.
 */
import { InterruptedError } from './errors.js';

/** Where a run can be held. */
export type PausePoint = 'copy' | 'report';

/** Milliseconds to hold at `point` according to the environment; 0 when not asked. */
export function pauseFor(point: PausePoint, env: NodeJS.ProcessEnv = process.env): number {
  for (const item of (env.HOLISTIC_PAUSE_AT ?? '').split(',')) {
    const [name, ms] = item.trim().split(':');
    if (name === point) return Math.max(0, Number(ms ?? 2000) || 0);
  }
  return 0;
}

/**
 * Hold at `point` when the environment asks. With a `signal` the hold ends early when it aborts (like the
 * real work there would) and throws; without one it always lasts its time (work that is not abortable).
 */
export async function pauseAt(point: PausePoint, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const ms = pauseFor(point);
  if (ms === 0) return;
  log(`held at ${point} for ${ms} ms (HOLISTIC_PAUSE_AT)`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
  if (signal?.aborted) throw new InterruptedError(`interrupted at ${point}: ${String(signal.reason ?? 'aborted')}`);
}
