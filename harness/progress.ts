/**
 * Live progress for `holistic run` on the terminal: which phase the run is in, time elapsed, and how long the
 * profile still has to go. On a TTY one status line is redrawn in place (log lines scroll above it); anywhere
 * else (CI logs, pipes) every event is one plain line, so a log reads top to bottom. Presentation only: the
 * library emits phase events (phases.ts) and never prints.
 */
import type { PhaseEvent } from './phases.js';

export interface ProgressOutput {
  /** Writes text as is (a TTY stream). */
  write(text: string): void;
  isTTY: boolean;
  columns?: number;
}

export interface Progress {
  onPhase(event: PhaseEvent): void;
  log(line: string): void;
  stop(): void;
}

const PREFIX = 'holistic: ';

/** Plain lines: `holistic: [ 12.3s] load + profile (5 s) …` and `… load + profile done in 5.2s`. */
export function plainProgress(writeLine: (line: string) => void, now: () => number = Date.now): Progress {
  const t0 = now();
  const stamp = (at: number) => `[${((at - t0) / 1000).toFixed(1).padStart(5)}s]`;
  return {
    onPhase(event) {
      if (event.type === 'start') {
        writeLine(`${PREFIX}${stamp(event.at)} ${event.phase}${event.seconds ? ` (${event.seconds} s)` : ''} …`);
      } else {
        writeLine(`${PREFIX}${stamp(event.at)} ${event.phase} ${event.ok ? 'done' : 'FAILED'} in ${event.elapsedS.toFixed(1)}s`);
      }
    },
    log: (line) => writeLine(PREFIX + line),
    stop: () => undefined,
  };
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** One status line redrawn in place; finished phases and log lines are printed above it and stay. */
export function ttyProgress(out: ProgressOutput, now: () => number = Date.now, tickMs = 100): Progress {
  const t0 = now();
  let current: { phase: string; at: number; seconds?: number } | undefined;
  let frame = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    if (!current) return;
    const t = now();
    const inPhase = (t - current.at) / 1000;
    const countdown =
      current.seconds !== undefined
        ? inPhase < current.seconds
          ? ` · profile ends in ${Math.ceil(current.seconds - inPhase)}s`
          : ' · collecting the profile'
        : '';
    let line = `${SPINNER[frame++ % SPINNER.length]} ${current.phase} ${inPhase.toFixed(1)}s${countdown} · total ${((t - t0) / 1000).toFixed(1)}s`;
    if (out.columns && line.length > out.columns - 1) line = line.slice(0, out.columns - 1);
    out.write(`\r\x1b[2K${line}`);
    drawn = true;
  };
  const timer = setInterval(draw, tickMs);
  timer.unref();
  return {
    onPhase(event) {
      clear();
      if (event.type === 'start') {
        current = { phase: event.phase, at: event.at, seconds: event.seconds };
      } else {
        out.write(`${event.ok ? '✔' : '✖'} ${event.phase} ${event.elapsedS.toFixed(1)}s\n`);
        current = undefined;
      }
      draw();
    },
    log(line) {
      clear();
      out.write(`  ${line}\n`);
      draw();
    },
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}

/** The TTY renderer on a terminal, plain lines otherwise (and always under CI=true). */
export function createProgress(tty: ProgressOutput | undefined, writeLine: (line: string) => void): Progress {
  return tty?.isTTY && !process.env.CI ? ttyProgress(tty) : plainProgress(writeLine);
}
