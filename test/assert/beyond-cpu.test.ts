/** The pure readers and verdicts behind memory-leak, lock-contention, native-view and crash-on-start. */
import { describe, expect, test } from 'vitest';
import { checkLockContention } from '../../harness/assert/contention.js';
import { checkBadSetting, readTraceback, settingsHolding } from '../../harness/assert/crash.js';
import { checkTopHeldSite, formatBytes } from '../../harness/assert/memory.js';
import { checkNativeShare } from '../../harness/assert/native.js';
import { parsePySpyDump } from '../../harness/profile/pyspy-dump.js';
import type { MemoryCapture } from '../../harness/tools/memray.js';
import type { NativeProfile } from '../../harness/tools/bpftrace.js';

describe('crash reading', () => {
  const logs = [
    'some earlier line',
    'Traceback (most recent call last):',
    '  File "/app/x.py", line 3, in <module>',
    '    ttl = int(env.get("X", "60"))',
    "ValueError: invalid literal for int() with base 10: 'forever'",
  ].join('\n');

  test('the last traceback, its exception and the quoted values', () => {
    expect(readTraceback(logs)).toMatchObject({ exception: 'ValueError', values: ['forever'] });
    expect(readTraceback(logs)!.text.split('\n')).toHaveLength(4);
    expect(readTraceback('badapp listening\n')).toBeUndefined();
  });

  test('the setting holding the value; none, or two, is a failed verdict', () => {
    const env = { A: '1', BADAPP_CACHE_TTL_S: 'forever', PATH: '/bin' };
    expect(settingsHolding(env, ['forever'])).toEqual(['BADAPP_CACHE_TTL_S']);
    expect(checkBadSetting(['BADAPP_CACHE_TTL_S'], env, 'BADAPP_CACHE_TTL_S').pass).toBe(true);
    expect(checkBadSetting([], env, 'BADAPP_CACHE_TTL_S')).toMatchObject({ pass: false, actual: 'no setting holds a value the traceback names' });
    expect(checkBadSetting(['A', 'B'], { A: 'x', B: 'x' }, 'A').pass).toBe(false);
  });
});

describe('lock contention from dumps', () => {
  const dump = (holder: boolean) =>
    parsePySpyDump(
      [
        'Thread 1 (idle): "MainThread"',
        '    select (selectors.py:415)',
        ...(holder ? ['Thread 0x2 (active+gil): "Thread-2"', '    build_slow_report (badapp/contention.py:23)', '    render_report (badapp/contention.py:17)'] : []),
        ...[3, 4, 5, 6].flatMap((i) => [`Thread 0x${i} (idle): "Thread-${i}"`, '    render_report (badapp/contention.py:16)', '    do_GET (badapp/cli/serve.py:72)']),
      ].join('\n'),
      'test',
    );

  test('the dump with the holder is the one read; waiters counted at the with line', () => {
    const [blocked, holder] = checkLockContention([dump(false), dump(true)], { waitingIn: /^render_report$/, holder: /^build_slow_report$/, atLeast: 4 });
    expect(blocked).toMatchObject({ pass: true, actual: '4 of 6 threads at render_report (badapp/contention.py:16) (best of 2 dumps)' });
    expect(holder!.pass).toBe(true);
  });

  test('fewer waiters than asked fails', () => {
    const [blocked] = checkLockContention([dump(true)], { waitingIn: /^render_report$/, holder: /^build_slow_report$/, atLeast: 5 });
    expect(blocked!.pass).toBe(false);
  });
});

describe('memory and native verdicts', () => {
  const capture: MemoryCapture = {
    heldBytes: 110 * 1024 * 1024,
    peakBytes: 0,
    flamegraphPath: '',
    sitesPath: '',
    attachS: 1,
    sites: [
      { bytes: 100 * 1024 * 1024, allocations: 10, allocator: 'malloc', stack: [
        { function: 'iterencode', file: '/usr/lib/python3.11/json/encoder.py', line: 258 },
        { function: 'remember_document', file: '/x/site-packages/badapp/leak.py', line: 17 },
      ] },
      { bytes: 10 * 1024 * 1024, allocations: 1, allocator: 'malloc', stack: [{ function: '<script>', file: 'evil.py', line: 1 }] },
    ],
  };

  test('the top held site runs through the leaking function', () => {
    const v = checkTopHeldSite(capture, /^remember_document$/, 'remember_document');
    expect(v.pass).toBe(true);
    expect(v.actual).toContain('called from remember_document (badapp/leak.py:17)');
    expect(v.actual).toContain('(90.9%)');
    expect(checkTopHeldSite({ ...capture, sites: capture.sites.slice(1) }, /^remember_document$/, 'remember_document').pass).toBe(false);
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });

  test('native share counts the object, and the top symbol must be in it', () => {
    const profile: NativeProfile = {
      totalSamples: 100,
      calls: {},
      probedLibrary: '/x/_bcrypt.abi3.so',
      programPath: '',
      resultPath: '',
      symbols: [
        { symbol: 'blowfish::Blowfish<T>::encrypt', object: '/x/_bcrypt.abi3.so', samples: 90 },
        { symbol: '[kernel]', object: '[kernel]', samples: 10 },
      ],
    };
    expect(checkNativeShare(profile, /_bcrypt/, { atLeast: 0.8, label: 'bcrypt' }).pass).toBe(true);
    expect(checkNativeShare(profile, /_bcrypt/, { atLeast: 0.95, label: 'bcrypt' }).pass).toBe(false);
  });
});
