/**
 * The phases of a run, as events for whoever shows progress (the CLI's renderer, a test). The library only
 * emits them through an optional callback; it never prints.
 */
export type Phase = 'set-up' | 'deploy' | 'attach' | 'load (unprofiled)' | 'load + profile' | 'teardown' | 'collect' | 'report';

export type PhaseEvent =
  /** `seconds`: how long the phase is planned to take (the profile's duration), for a countdown. */
  | { type: 'start'; phase: Phase; at: number; seconds?: number }
  | { type: 'end'; phase: Phase; at: number; elapsedS: number; ok: boolean };

export type PhaseListener = (event: PhaseEvent) => void;

/** Starting a phase ends the one before it (as done); `end(false)` marks the current one failed. */
export function phaseTracker(emit: PhaseListener | undefined) {
  let current: { phase: Phase; t0: number } | undefined;
  const safeEmit = (event: PhaseEvent) => {
    try {
      emit?.(event);
    } catch {
      // A display must never break a run.
    }
  };
  const end = (ok = true) => {
    if (!current) return;
    const at = Date.now();
    safeEmit({ type: 'end', phase: current.phase, at, elapsedS: (at - current.t0) / 1000, ok });
    current = undefined;
  };
  return {
    /** The phase in progress, if any. */
    current: (): Phase | undefined => current?.phase,
    start(phase: Phase, options: { seconds?: number } = {}) {
      end(true);
      const at = Date.now();
      current = { phase, t0: at };
      safeEmit({ type: 'start', phase, at, ...options });
    },
    end,
  };
}
