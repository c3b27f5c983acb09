import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { frameStats, toCollapsed, frameKey } from '../../harness/profile/model.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { parseFrame, parsePySpyRaw, readPySpyRaw } from '../../harness/profile/pyspy-raw.js';

const samples = path.join(import.meta.dirname, '..', 'samples');

describe('py-spy raw reader', () => {
  test('reads a real py-spy recording of bad-app: hash_password is the leaf of almost every sample', async () => {
    const profile = await readPySpyRaw(path.join(samples, 'badapp.raw.txt'));
    expect(profile.totalWeight).toBe(685);
    const [top] = frameStats(profile);
    expect(frameKey(top!.frame)).toBe('hash_password (badapp/hashing.py)');
    expect(top!.selfWeight).toBe(677);
    expect(top!.self).toBeCloseTo(677 / 685, 6);
  });

  test('collapsed lines round-trip: what was read is what the file says, merged', async () => {
    const text = await readFile(path.join(samples, 'badapp.raw.txt'), 'utf8');
    const profile = parsePySpyRaw(text, 'badapp.raw.txt');
    const expected = text.trim().split('\n').sort();
    expect(toCollapsed(profile)).toEqual(expected);
  });

  test('frames: name (file:line), names with parentheses and spaces, and bare names', () => {
    expect(parseFrame('hash_password (badapp/hashing.py:11)')).toEqual({ name: 'hash_password', file: 'badapp/hashing.py', line: 11 });
    expect(parseFrame('<module> (<frozen runpy>:88)')).toEqual({ name: '<module>', file: '<frozen runpy>', line: 88 });
    expect(parseFrame('make_handler.<locals>.Handler.do_GET (badapp/cli/serve.py:52)').name).toBe('make_handler.<locals>.Handler.do_GET');
    expect(parseFrame('process 1:"python -m badapp"')).toEqual({ name: 'process 1:"python -m badapp"' });
  });

  test('recursion counts once in total, every time in the stack', () => {
    const profile = parsePySpyRaw('a (m.py:1);b (m.py:2);a (m.py:1) 3\na (m.py:1) 1\n', 'mem');
    const stats = Object.fromEntries(frameStats(profile).map((s) => [s.frame.name, s]));
    expect(stats.a!.totalWeight).toBe(4);
    expect(stats.a!.selfWeight).toBe(4);
    expect(stats.b!.totalWeight).toBe(3);
    expect(stats.b!.selfWeight).toBe(0);
  });

  test.each([
    ['a truncated last line', 'a (m.py:1);b (m.py:2) 5\na (m.py:1);b (m.', /profile x\.txt: line 2: the file ends mid-line/],
    ['a line without a count', 'a (m.py:1);b (m.py:2) 5\njust some text\n', /profile x\.txt: line 2: expected "frame;frame;\.\.\. COUNT"/],
    ['an empty frame', 'a;;b 5\n', /line 1: empty frame/],
    ['an empty file', '', /whole file: no samples/],
    ['a huge count', `a ${'9'.repeat(30)}\n`, /line 1: sample count .* is not a safe integer/],
  ])('rejects %s with the file and place', (_what, text, message) => {
    expect(() => parsePySpyRaw(text, 'x.txt')).toThrow(ProfileParseError);
    expect(() => parsePySpyRaw(text, 'x.txt')).toThrow(message);
  });

  test('allowEmpty: a recording of a process that did nothing is an empty profile, not an error', () => {
    expect(parsePySpyRaw('', 'x.txt', { allowEmpty: true }).totalWeight).toBe(0);
    expect(() => parsePySpyRaw('a;;b 5\n', 'x.txt', { allowEmpty: true })).toThrow(/empty frame/);
  });

  test('py-spy lines with no frames (" N": a thread caught without a Python stack) are left out', () => {
    const profile = parsePySpyRaw('a (m.py:1) 5\n 1\n', 'empty-stack');
    expect(profile.totalWeight).toBe(5);
    expect(toCollapsed(profile)).toEqual(['a (m.py:1) 5']);
  });

  test('CRLF line endings read the same', () => {
    const profile = parsePySpyRaw('a (m.py:1);b (m.py:2) 5\r\na (m.py:1) 2\r\n', 'crlf');
    expect(toCollapsed(profile)).toEqual(['a (m.py:1) 2', 'a (m.py:1);b (m.py:2) 5']);
  });
});
