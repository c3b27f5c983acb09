import { describe, expect, test } from 'vitest';
import { checkGilContention, gilWaitFrames } from '../../harness/assert/gil.js';
import { gilShares } from '../../harness/profile/gil.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

const raw = (lines: string[]) => parsePySpyRaw(lines.join('\n') + '\n', 'test');
const T = 'Thread._bootstrap (threading.py:995);do_GET (app.py:77)';

// Shaped like the pure-Python ground-truth app with 2 connections: the default sampler counts the second thread,
// sitting in socket write waiting to get the GIL back, as active; the --gil sampler sees only the holder.
const defaultProfile = raw([`${T};hot_path (app.py:36) 500`, `${T};answer (app.py:71);_SocketWriter.write (socketserver.py:834) 400`, `${T};parse (app.py:9) 100`]);
const gilProfile = raw([`${T};hot_path (app.py:36) 480`, `${T};answer (app.py:71);_SocketWriter.write (socketserver.py:834) 20`, `${T};parse (app.py:9) 100`]);

describe('GIL shares and checkGilContention', () => {
  test('held and waiting shares of the default sampler\'s samples', () => {
    expect(gilShares(defaultProfile, gilProfile)).toEqual({ held: 0.6, waiting: 0.4, defaultSamples: 1000, gilSamples: 600 });
  });

  test('the frames where non-holders sat: the socket write, not the hot path', () => {
    expect(gilWaitFrames(defaultProfile, gilProfile)[0]).toEqual({ key: '_SocketWriter.write (socketserver.py)', share: 0.38 });
  });

  test('a GIL-bound app passes atLeast and fails atMost, saying where the waits were', () => {
    expect(checkGilContention(defaultProfile, gilProfile, { atLeast: 0.3 })).toMatchObject({ pass: true, expected: 'share of active samples without the GIL >= 30.0%' });
    const v = checkGilContention(defaultProfile, gilProfile, { atMost: 0.1 });
    expect(v.pass).toBe(false);
    expect(v.actual).toBe('40.0% without the GIL (400 of 1000 active samples; 600 samples held it); non-holders sat in _SocketWriter.write (socketserver.py) 38.0%, hot_path (app.py) 2.0%');
  });

  test('a single-threaded app holding the GIL: nothing waits', () => {
    const v = checkGilContention(gilProfile, gilProfile, { atMost: 0.05 });
    expect(v.pass).toBe(true);
    expect(v.actual).toMatch(/^0\.0% without the GIL/);
  });
});
