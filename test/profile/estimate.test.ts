import { describe, expect, test } from 'vitest';
import { cpuShare, wallClockCheck } from '../../harness/profile/estimate.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

const raw = (lines: string[]) => parsePySpyRaw(lines.join('\n') + '\n', 'test');
const T = 'Thread._bootstrap (threading.py:995);do_GET (app.py:77)';

describe('cpuShare', () => {
  const def = raw([`${T};hot_path (app.py:36) 400`, `${T};_SocketWriter.write (socketserver.py:834) 500`, 'inner (app.py:40) 100']);
  const gil = raw([`${T};hot_path (app.py:36);inner (app.py:40) 850`, `${T};_SocketWriter.write (socketserver.py:834) 50`, 'inner (app.py:40) 100']);
  const hot = (f: { name: string }) => f.name === 'hot_path';
  test('with a GIL profile: its share, truncated stacks re-rooted (the truncated `inner` belongs to hot_path)', () => {
    expect(cpuShare(def, gil, hot)).toEqual({ share: 0.95, method: 'gil sampler, re-rooted' });
  });
  test('without one: the default sampler\'s share', () => {
    expect(cpuShare(def, undefined, hot)).toEqual({ share: 0.4, method: 'default sampler, re-rooted' });
  });
});

describe('wallClockCheck', () => {
  test('GIL-held sample-seconds well above the app\'s CPU seconds: wall-clock shares, said so', () => {
    const c = wallClockCheck(1187, 100, 8.48);
    expect(c.ratio).toBeCloseTo(1.4, 2);
    expect(c.inflated).toBe(true);
    expect(c.message).toMatch(/held for 1\.40x the app's CPU time/);
  });
  test('at or below the CPU time: fine', () => {
    expect(wallClockCheck(500, 100, 5.2)).toEqual({ ratio: 500 / 100 / 5.2, inflated: false });
  });
});
