import { describe, expect, test } from 'vitest';
import { cpuShare, cpuShareByThread, cpuShareWithReleasedGil, shareContaining, wallClockCheck } from '../../harness/profile/estimate.js';
import { truncatedFraction } from '../../harness/profile/truncation.js';
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
  // One thread (an event loop): 1000 active samples, 960 of them holding the GIL (waiting 4%): the 0.4 s without
  // it ran with the GIL released, outside the hot call, so the hot call's 7.2 GIL-held s are 72% of 10 CPU s.
  const loopDef = raw([`${T};hot_path (app.py:36) 720`, `${T};_SocketWriter.write (socketserver.py:834) 280`]);
  const loopGil = raw([`${T};hot_path (app.py:36) 720`, `${T};_SocketWriter.write (socketserver.py:834) 240`]);
  test('with the app\'s CPU and threads that do not take turns at the GIL: scaled to the app\'s CPU', () => {
    const e = cpuShare(loopDef, loopGil, hot, { cpuSeconds: 10, rateHz: 100 });
    expect(e.method).toBe('gil sampler, re-rooted, scaled to the app\'s CPU');
    expect(e.share).toBeCloseTo(0.72);
  });
  test('threads taking turns (half the active samples without the GIL): the plain GIL share, not scaled', () => {
    const turns = raw([`${T};hot_path (app.py:36) 1400`, `${T};_SocketWriter.write (socketserver.py:834) 600`]);
    expect(cpuShare(turns, gil, hot, { cpuSeconds: 12, rateHz: 100 })).toEqual({ share: 0.95, method: 'gil sampler, re-rooted' });
  });
  test('GIL held as long as the app ran on a CPU: nothing to scale', () => {
    expect(cpuShare(loopDef, loopGil, hot, { cpuSeconds: 9.6, rateHz: 100 })).toEqual({ share: 0.75, method: 'gil sampler, re-rooted' });
  });
});

describe('cpuShareWithReleasedGil', () => {
  const gil = raw([`${T};hot_path (app.py:36) 500`, `${T};_SocketWriter.write (socketserver.py:834) 500`]);
  const hot = (f: { name: string }) => f.name === 'hot_path';
  test('GIL held 8 s of 10 CPU s: 2 s ran with the GIL released, and the hot call\'s 5 GIL-held s are 40% of the CPU, not 50%', () => {
    const e = cpuShareWithReleasedGil(gil, 125, 10, hot)!;
    expect(e.ratio).toBeCloseTo(0.8);
    expect(e.share).toBeCloseTo(0.4);
  });
  test('GIL held longer than the CPU time (the holder waited for a core): the GIL share as read, not inflated', () => {
    expect(cpuShareWithReleasedGil(gil, 100, 5, hot)).toMatchObject({ share: 0.5, ratio: 2 });
  });
  test('no CPU time or no samples: no estimate', () => {
    expect(cpuShareWithReleasedGil(gil, 100, 0, hot)).toBeUndefined();
    expect(cpuShareWithReleasedGil({ ...gil, samples: [], totalWeight: 0 }, 100, 5, hot)).toBeUndefined();
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

describe('cpuShareByThread', () => {
  // Thread 11 (a request thread) is in hot() half its GIL samples; thread 12 (a CPU-bound worker) never. The worker
  // held the GIL for 3x the wall time but the OS gave it only as much CPU as the request thread.
  const tagged = parsePySpyRaw(
    [
      'thread (11): req;Thread._bootstrap (threading.py:1);handle (app.py:2);hot (app.py:3) 50',
      'thread (11): req;Thread._bootstrap (threading.py:1);handle (app.py:2) 50',
      'thread (12): churn;Thread._bootstrap (threading.py:1);churn (app.py:9) 300',
    ].join('\n') + '\n',
    'tagged.txt',
  );
  const isHot = (f: { name: string }) => f.name === 'hot';

  test('splits each thread\'s CPU by its own samples: the wall-clock share would read 12.5%, CPU says 25%', () => {
    expect(shareContaining(tagged, isHot)).toBeCloseTo(0.125);
    const est = cpuShareByThread(tagged, new Map([['11', 2], ['12', 2]]), isHot)!;
    expect(est.share).toBeCloseTo(0.25);
    expect(est.unsampledCpuS).toBe(0);
  });

  test('a thread with CPU but no sample counts in the denominator; stacks without thread ids give no estimate', () => {
    expect(cpuShareByThread(tagged, new Map([['11', 2], ['12', 2], ['13', 4]]), isHot)).toMatchObject({ share: 0.125, unsampledCpuS: 4 });
    const untagged = parsePySpyRaw('Thread._bootstrap (threading.py:1);hot (app.py:3) 5\n', 'u.txt');
    expect(cpuShareByThread(untagged, new Map([['1', 1]]), isHot)).toBeUndefined();
  });

  test('py-spy\'s OS-thread-id prefix is not a truncated stack', () => {
    expect(truncatedFraction(tagged).fraction).toBe(0);
  });
});
