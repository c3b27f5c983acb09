import { describe, expect, test } from 'vitest';
import { toCollapsed } from '../../harness/profile/model.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { isThreadRoot, repairTruncated, totalBound, truncatedFraction, truncationCouldFlip } from '../../harness/profile/truncation.js';

const raw = (lines: string[]) => parsePySpyRaw(lines.join('\n') + '\n', 'test');

// Shaped like py-spy 0.4 raw output of the pure-Python ground-truth app.
const ROOT = 'Thread._bootstrap (threading.py:995);Thread.run (threading.py:975)';
const profile = raw([
  `${ROOT};do_GET (app.py:77);hot_path (app.py:36);inner_loop (app.py:30);step (app.py:24) 60`,
  `${ROOT};do_GET (app.py:80);answer (app.py:71);write (socketserver.py:834) 20`,
  `<module> (app.py:109);main (app.py:103);select (selectors.py:415) 5`,
  // truncated: the leaf end of the hot path without its callers
  `inner_loop (app.py:30);step (app.py:24) 10`,
  // truncated, and its outermost frame is never seen under a root: cannot be re-rooted
  `mystery (lib.py:1) 5`,
]);

describe('truncated stacks', () => {
  test('a thread root is <module> or threading.py _bootstrap (qualified or not)', () => {
    expect(isThreadRoot({ name: '<module>', file: 'app.py' })).toBe(true);
    expect(isThreadRoot({ name: 'Thread._bootstrap', file: 'threading.py' })).toBe(true);
    expect(isThreadRoot({ name: '_bootstrap', file: '/usr/lib/python3.11/threading.py' })).toBe(true);
    expect(isThreadRoot({ name: '_bootstrap', file: 'importlib/_bootstrap.py' })).toBe(false);
    expect(isThreadRoot({ name: 'inner_loop', file: 'app.py' })).toBe(false);
  });

  test('their fraction is the weight without a root over the total', () => {
    expect(truncatedFraction(profile)).toEqual({ fraction: 0.15, truncatedWeight: 15, totalWeight: 100 });
  });

  test('py-spy --threads pseudo-frames do not hide the root', () => {
    const withThreads = raw([`thread (0x7F12AB);${ROOT};work (app.py:1) 3`, 'thread (0x7F12AB);work (app.py:1) 1']);
    expect(truncatedFraction(withThreads).fraction).toBe(0.25);
  });

  test('re-rooting puts a truncated stack under the callers complete stacks show, and keeps the weight', () => {
    const fixed = repairTruncated(profile);
    expect(fixed.repairedFraction).toBeCloseTo(0.1);
    expect(fixed.unrepairedFraction).toBeCloseTo(0.05);
    expect(fixed.profile.totalWeight).toBe(100);
    expect(toCollapsed(fixed.profile)).toContain(`${ROOT};do_GET (app.py:77);hot_path (app.py:36);inner_loop (app.py:30);step (app.py:24) 70`);
    expect(toCollapsed(fixed.profile)).toContain('mystery (lib.py:1) 5');
  });

  test('a truncated stack splits over several callers in proportion to their weights', () => {
    const two = raw([`${ROOT};a (x.py:1);leaf (x.py:9) 30`, `${ROOT};b (x.py:2);leaf (x.py:9) 10`, 'leaf (x.py:9) 8']);
    expect(toCollapsed(repairTruncated(two).profile)).toEqual([`${ROOT};a (x.py:1);leaf (x.py:9) 36`, `${ROOT};b (x.py:2);leaf (x.py:9) 12`]);
  });

  test('total is bounded: seen where shown, plus every truncated stack that might have had it', () => {
    const b = totalBound(profile, (f) => f.name === 'do_GET');
    expect(b.low).toBeCloseTo(0.8);
    expect(b.estimate).toBeCloseTo(0.9);
    expect(b.high).toBeCloseTo(0.95);
    // a verdict "do_GET total >= 85%" depends on where the truncated samples belonged; ">= 50%" does not
    expect(truncationCouldFlip(b, 0.85)).toBe(true);
    expect(truncationCouldFlip(b, 0.5)).toBe(false);
    expect(truncationCouldFlip(b, 0.99)).toBe(false);
  });

  test('a profile without truncation comes back unchanged', () => {
    const clean = raw([`${ROOT};a (x.py:1) 3`]);
    const fixed = repairTruncated(clean);
    expect(fixed.profile).toBe(clean);
    expect(fixed.truncated.fraction).toBe(0);
  });
});

describe('checkTotalShare: a verdict on total that says when truncation could flip it', async () => {
  const { checkTotalShare } = await import('../../harness/assert/total-bound.js');
  test('judged on the re-rooted estimate, the bound in actual, a detail when the threshold is inside it', () => {
    const v = checkTotalShare(profile, 'do_GET', { atLeast: 0.85 });
    expect(v).toMatchObject({ name: 'total do_GET', pass: true, actual: '90.0% (between 80.0% and 95.0% with 15.0% of 100 samples truncated)' });
    expect(v.details![0]).toMatch(/^truncation could flip this verdict: the threshold 85\.0% lies between 80\.0% .* and 95\.0%/);
    expect(checkTotalShare(profile, 'do_GET', { atLeast: 0.5 }).details).toBeUndefined();
    expect(checkTotalShare(profile, 'do_GET', { atLeast: 0.97 }).pass).toBe(false);
  });
});
