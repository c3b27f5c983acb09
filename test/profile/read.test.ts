import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { toCollapsed } from '../../harness/profile/model.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { readPySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { detectProfileFormat, parseProfile, readProfile } from '../../harness/profile/read.js';
import { toSpeedscope } from '../../harness/profile/speedscope.js';

const samples = path.join(import.meta.dirname, '..', 'samples');

describe('readProfile: the reader chosen by content', () => {
  test.each([
    ['badapp.pair.speedscope.json', 'speedscope', 'speedscope ('],
    ['badapp.concurrent.svg', 'flamegraph-svg', 'flame graph'],
    ['badapp.inferno-inverted.svg', 'flamegraph-svg', 'flame graph'],
    ['badapp.raw.txt', 'pyspy-raw', 'py-spy raw ('],
  ])('%s is read as %s', async (file, format, source) => {
    const text = await readFile(path.join(samples, file), 'utf8');
    expect(detectProfileFormat(text, file)).toBe(format);
    const profile = await readProfile(path.join(samples, file));
    expect(profile.source.toLowerCase()).toContain(source);
    expect(profile.totalWeight).toBeGreaterThan(0);
  });

  test('a file name says nothing: a speedscope file saved as .txt is still speedscope', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'holistic-read-'));
    const raw = await readPySpyRaw(path.join(samples, 'badapp.raw.txt'));
    try {
      const file = path.join(dir, 'profile.txt');
      await writeFile(file, toSpeedscope(raw));
      expect(toCollapsed(await readProfile(file))).toEqual(toCollapsed(raw));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('leading whitespace and a byte-order mark do not hide the format', async () => {
    expect(toCollapsed(await parseProfile('\uFEFF\na (m.py:1);b (m.py:2) 3\n', 'bom.txt'))).toEqual(['a (m.py:1);b (m.py:2) 3']);
    const raw = await readPySpyRaw(path.join(samples, 'badapp.raw.txt'));
    expect(toCollapsed(await parseProfile(`\uFEFF \n\t${toSpeedscope(raw)}`, 'bom.json'))).toEqual(toCollapsed(raw));
  });

  test('folded stacks whose first frame is <module> or <genexpr> (a truncated py-spy stack) are py-spy raw, not markup', async () => {
    const text = '<genexpr> (app.py:12);checksum (app.py:20) 3\n<module> (app.py:1);main (app.py:30) 2\n';
    expect(detectProfileFormat(text, 'x.txt')).toBe('pyspy-raw');
    expect(toCollapsed(await parseProfile(text, 'x.txt'))).toEqual(['<genexpr> (app.py:12);checksum (app.py:20) 3', '<module> (app.py:1);main (app.py:30) 2']);
    // An SVG whose first line is its opening tag stays an SVG.
    expect(detectProfileFormat('<?xml version="1.0"?>\n<svg width="10" height="10"></svg>', 'x.svg')).toBe('flamegraph-svg');
  });

  test.each([
    ['an empty file', '', /x: whole file: empty: expected speedscope JSON, flame graph SVG or py-spy raw/],
    ['a JSON array (a Chrome trace)', '[{"ph":"B"}]', /x: top level: a JSON array \(a Chrome trace\?\) is not one of the formats/],
    ['an HTML page', '<!doctype html><html><body>hi</body></html>', /x: top level: markup without an <svg> element/],
    ['a py-spy dump', 'Process 1: python app.py\nPython v3.11.2 (/usr/bin/python3)\n', /x: line 1: this is a py-spy dump/],
    ['prose', 'hello world\n', /x: line 1: not speedscope JSON, flame graph SVG or py-spy raw \(folded stacks\): starts with "hello world"/],
    ['gzip bytes', '\x1f\x8b\x08\x00\x00', /x: line 1: not speedscope JSON/],
  ])('rejects %s with the formats it tried', async (_what, text, message) => {
    await expect(parseProfile(text, 'x')).rejects.toThrow(ProfileParseError);
    await expect(parseProfile(text, 'x')).rejects.toThrow(message);
  });

  test('a format recognised but broken fails with that reader\'s message', async () => {
    await expect(parseProfile('{"$schema": 1}', 'x.json')).rejects.toThrow(/x\.json: \$schema: expected/);
    await expect(parseProfile('a;b 3\na;b', 'x.txt')).rejects.toThrow(/x\.txt: line 2: the file ends mid-line/);
    await expect(parseProfile('<svg><g></g>', 'x.svg')).rejects.toThrow(/x\.svg: offset \d+: the SVG does not end with <\/svg>/);
  });

  test('a missing file is a ProfileParseError (exit 2), naming it', async () => {
    await expect(readProfile('/nonexistent/profile.json')).rejects.toThrow(/cannot read profile \/nonexistent\/profile\.json: file: ENOENT/);
  });
});

test('a py-spy raw recording whose first line is an empty stack (` 1`) is still read as raw', async () => {
  const { detectProfileFormat } = await import('../../harness/profile/read.js');
  expect(detectProfileFormat(' 1\nmain (app.py:1);work (app.py:2) 5\n', 'x.txt')).toBe('pyspy-raw');
});
