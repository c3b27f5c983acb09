import { describe, expect, test } from 'vitest';
import { phaseTracker, type PhaseEvent } from '../harness/phases.js';
import { plainProgress, ttyProgress } from '../harness/progress.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('run phases', () => {
  test('starting a phase ends the previous one; end(false) marks the current one failed', () => {
    const events: PhaseEvent[] = [];
    const phases = phaseTracker((e) => events.push(e));
    phases.start('deploy');
    phases.start('load + profile', { seconds: 5 });
    phases.end(false);
    phases.end(false); // nothing running: nothing emitted
    expect(events.map((e) => `${e.type} ${e.phase}${e.type === 'end' ? ` ${e.ok}` : ''}`)).toEqual([
      'start deploy',
      'end deploy true',
      'start load + profile',
      'end load + profile false',
    ]);
  });

  test('a display that throws does not break the run', () => {
    const phases = phaseTracker(() => {
      throw new Error('broken terminal');
    });
    expect(() => phases.start('deploy')).not.toThrow();
  });
});

describe('progress on the terminal', () => {
  test('without a TTY: one plain line per event, with elapsed time, and log lines as they were', () => {
    const lines: string[] = [];
    const c = clock();
    const p = plainProgress((l) => lines.push(l), c.now);
    p.onPhase({ type: 'start', phase: 'load + profile', at: c.now(), seconds: 10 });
    p.log('load: autocannon http://127.0.0.1:1/');
    c.advance(10_400);
    p.onPhase({ type: 'end', phase: 'load + profile', at: c.now(), elapsedS: 10.4, ok: true });
    expect(lines).toEqual([
      'holistic: [  0.0s] load + profile (10 s) …',
      'holistic: load: autocannon http://127.0.0.1:1/',
      'holistic: [ 10.4s] load + profile done in 10.4s',
    ]);
    expect(lines.join('')).not.toMatch(/\x1b|\r/);
  });

  test('on a TTY: a status line redrawn in place with the profile countdown; finished phases stay', () => {
    let screen = '';
    const c = clock();
    const p = ttyProgress({ write: (t) => (screen += t), isTTY: true, columns: 120 }, c.now, 60_000);
    p.onPhase({ type: 'start', phase: 'load + profile', at: c.now(), seconds: 10 });
    expect(screen).toMatch(/\r\x1b\[2K. load \+ profile 0\.0s · profile ends in 10s · total 0\.0s$/);
    c.advance(3_200);
    p.log('py-spy record --pid 1 for 10 s');
    expect(screen).toMatch(/\r\x1b\[2K {2}py-spy record --pid 1 for 10 s\n\r\x1b\[2K. load \+ profile 3\.2s · profile ends in 7s/);
    c.advance(7_000);
    p.onPhase({ type: 'end', phase: 'load + profile', at: c.now(), elapsedS: 10.2, ok: true });
    expect(screen.endsWith('✔ load + profile 10.2s\n')).toBe(true);
    p.stop();
  });
});
