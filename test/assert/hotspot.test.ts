import { describe, expect, test } from 'vitest';
import { checkHotspot, hotspots, shareOf } from '../../harness/assert/hotspot.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

// 80 samples in hash_password, 15 in json encoding under the handler, 5 in select.
const profile = parsePySpyRaw(
  [
    'main (app.py:1);handle (app.py:5);hash_password (app.py:9) 80',
    'main (app.py:1);handle (app.py:5);encode (json/encoder.py:200) 15',
    'main (app.py:1);select (selectors.py:415) 5',
    '',
  ].join('\n'),
  'synthetic',
);

describe('hotspot checks', () => {
  test('self and total shares', () => {
    expect(shareOf(profile, 'hash_password', 'self').share).toBeCloseTo(0.8);
    expect(shareOf(profile, 'handle', 'self').share).toBe(0);
    expect(shareOf(profile, 'handle', 'total').share).toBeCloseTo(0.95);
    expect(shareOf(profile, /json\//, 'self').share).toBeCloseTo(0.15);
  });

  test('summary hotspots are ranked by self share, highest first', () => {
    expect(hotspots(profile).map((h) => [h.name, h.self, h.samples])).toEqual([
      ['hash_password', 0.8, 80],
      ['encode', 0.15, 15],
      ['select', 0.05, 5],
    ]);
  });

  test('a passing verdict says what held', () => {
    const v = checkHotspot(profile, 'hash_password', { atLeast: 0.8, top: true });
    expect(v).toMatchObject({ pass: true, name: 'hotspot hash_password', expected: 'self share >= 80%, ranked first by self share' });
    expect(v.actual).toMatch(/^80\.0% \(80 of 100 samples\)/);
  });

  test('a failing verdict lists the top frames with their shares', () => {
    const v = checkHotspot(profile, 'encode', { atLeast: 0.5 });
    expect(v.pass).toBe(false);
    expect(v.details).toEqual([
      'top frames by self share:',
      '1. hash_password (app.py)  self 80.0%  total 80.0%  (80 samples)',
      '2. encode (json/encoder.py)  self 15.0%  total 15.0%  (15 samples)',
      '3. select (selectors.py)  self 5.0%  total 5.0%  (5 samples)',
      '4. main (app.py)  self 0.0%  total 100.0%  (0 samples)',
      '5. handle (app.py)  self 0.0%  total 95.0%  (0 samples)',
    ]);
  });

  test('top: the share alone is not enough when another frame ranks first', () => {
    expect(checkHotspot(profile, 'encode', { atLeast: 0.1, top: true }).pass).toBe(false);
  });

  test('atMost: a frame that must stay small; absent counts as 0', () => {
    expect(checkHotspot(profile, 'select', { atMost: 0.1 }).pass).toBe(true);
    expect(checkHotspot(profile, 'hash_password', { atMost: 0.1 }).pass).toBe(false);
    expect(checkHotspot(profile, 'nowhere', { atMost: 0.1 }).pass).toBe(true);
    expect(checkHotspot(profile, 'nowhere').pass).toBe(false);
  });

  test('the vitest matcher fails with the same message', () => {
    expect(profile).toHaveHotspot('hash_password', { atLeast: 0.75 });
    expect(() => expect(profile).toHaveHotspot(/encode/, { atLeast: 0.5 })).toThrow(
      /FAIL hotspot encode: expected self share >= 50%; got 15\.0% \(15 of 100 samples\)\n {2}top frames by self share:\n {2}1\. hash_password \(app\.py\)/,
    );
  });
});
