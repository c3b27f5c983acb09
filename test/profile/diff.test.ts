import { describe, expect, test } from 'vitest';
import { diffProfiles, regressions } from '../../harness/profile/diff.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

const raw = (lines: string[]) => parsePySpyRaw(lines.join('\n') + '\n', 'test');
const R = '<module> (app.py:1);handle (app.py:5)';

describe('diffProfiles: per-function self share change, normalised to each profile', () => {
  // A: 1000 samples, B: 2000 (a longer recording). checksum grows 5% -> 25%; hot shrinks; gone vanishes; fresh is new.
  const a = raw([`${R};hot (app.py:9) 850`, `${R};checksum (app.py:20) 50`, `${R};gone (app.py:30) 100`]);
  const b = raw([`${R};hot (app.py:9) 1300`, `${R};checksum (app.py:21) 500`, `${R};fresh (app.py:40) 200`]);
  const d = diffProfiles(a, b);
  const get = (name: string) => d.changes.find((c) => c.frame.name === name)!;

  test('both directions, by function (lines merged), with intervals that exclude zero', () => {
    expect(get('checksum')).toMatchObject({ kind: 'grew', selfA: 0.05, selfB: 0.25 });
    expect(get('checksum').delta.estimate).toBeCloseTo(0.2);
    expect(get('checksum').delta.low).toBeGreaterThan(0.17);
    expect(get('checksum').delta.high).toBeLessThan(0.23);
    expect(get('hot')).toMatchObject({ kind: 'shrank', selfA: 0.85, selfB: 0.65 });
    expect(get('gone')).toMatchObject({ kind: 'vanished', selfB: 0 });
    expect(get('fresh')).toMatchObject({ kind: 'new', selfA: 0 });
    expect(get('handle')).toMatchObject({ kind: 'unchanged', selfA: 0, selfB: 0 });
  });

  test('regressions: grew or new beyond the threshold in points', () => {
    expect(regressions(d, 1).map((c) => c.frame.name)).toEqual(['checksum', 'fresh']);
    expect(regressions(d, 15).map((c) => c.frame.name)).toEqual(['checksum']);
  });

  test('the same profile at twice the samples: nothing changed', () => {
    const doubled = raw([`${R};hot (app.py:9) 1700`, `${R};checksum (app.py:20) 100`, `${R};gone (app.py:30) 200`]);
    const same = diffProfiles(a, doubled);
    expect(same.changes.every((c) => c.kind === 'unchanged')).toBe(true);
    expect(regressions(same, 0)).toEqual([]);
  });

  test('a small difference on few samples is not significant', () => {
    const small = diffProfiles(raw([`${R};x (a.py:1) 9`, `${R};y (a.py:2) 1`]), raw([`${R};x (a.py:1) 7`, `${R};y (a.py:2) 3`]));
    expect(small.changes.find((c) => c.frame.name === 'y')!.kind).toBe('unchanged');
  });
});
