import { describe, expect, test } from 'vitest';
import { InterruptedError } from '../harness/errors.js';
import { pauseAt, pauseFor } from '../harness/failpoint.js';

describe('failpoints (HOLISTIC_PAUSE_AT)', () => {
  test('holds only where asked, for the time asked (2 s when no time is given)', () => {
    const env = { HOLISTIC_PAUSE_AT: 'copy:3000, report' };
    expect(pauseFor('copy', env)).toBe(3000);
    expect(pauseFor('report', env)).toBe(2000);
    expect(pauseFor('copy', {})).toBe(0);
    expect(pauseFor('report', { HOLISTIC_PAUSE_AT: 'copy:10' })).toBe(0);
    expect(pauseFor('copy', { HOLISTIC_PAUSE_AT: 'copy:nonsense' })).toBe(0);
  });

  test('an abortable hold ends when the signal aborts and says it was interrupted there', async () => {
    process.env.HOLISTIC_PAUSE_AT = 'copy:60000';
    try {
      const lines: string[] = [];
      const controller = new AbortController();
      setTimeout(() => controller.abort('SIGINT'), 50);
      const held = pauseAt('copy', (line) => lines.push(line), controller.signal);
      await expect(held).rejects.toThrow(InterruptedError);
      await expect(held).rejects.toThrow('interrupted at copy: SIGINT');
      expect(lines).toEqual(['held at copy for 60000 ms (HOLISTIC_PAUSE_AT)']);
    } finally {
      delete process.env.HOLISTIC_PAUSE_AT;
    }
  });
});
