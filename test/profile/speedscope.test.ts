import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { frameKey, frameStats, toCollapsed } from '../../harness/profile/model.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { readPySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { parseSpeedscope, readSpeedscope, shortFile, SPEEDSCOPE_SCHEMA, toSpeedscope } from '../../harness/profile/speedscope.js';

const samples = path.join(import.meta.dirname, '..', 'samples');
/** Where bad-app's sources were when the pair was recorded (see test/samples/README.md): its sys.path root. */
const recordedAppRoot = '/work/wt-speedscope/app/src';

/** A speedscope file around the given frames and profiles. */
function file(frames: object[], profiles: object[]): string {
  return JSON.stringify({ $schema: SPEEDSCOPE_SCHEMA, shared: { frames }, profiles });
}
const sampled = (samples: unknown[], weights: unknown[]) => ({ type: 'sampled', name: 't', unit: 'none', startValue: 0, endValue: 1, samples, weights });
const evented = (events: object[]) => ({ type: 'evented', name: 't', unit: 'milliseconds', startValue: 0, endValue: 10, events });
const abc = [{ name: 'a', file: 'm.py', line: 1 }, { name: 'b', file: 'm.py', line: 2 }, { name: 'c' }];

describe('speedscope reader', () => {
  test('reads a real py-spy speedscope recording of bad-app: hash_password is the leaf of almost every sample', async () => {
    const profile = await readSpeedscope(path.join(samples, 'badapp.pair.speedscope.json'), { fileRoots: [recordedAppRoot] });
    // py-spy writes one sampled profile per thread (main thread + two request threads here), each sample 0.01 s:
    // read as sample counts, like the raw reader's.
    expect(profile.samples.length).toBe(3 + 387 + 382);
    expect(profile.totalWeight).toBe(772);
    const [top] = frameStats(profile);
    expect(frameKey(top!.frame)).toBe('hash_password (badapp/hashing.py)');
    expect(top!.selfWeight).toBe(765);
    expect(top!.self).toBeCloseTo(765 / 772, 6);
  });

  test("py-spy's weights in seconds on request (countSamples: false); other exporters' weights as written", async () => {
    const seconds = await readSpeedscope(path.join(samples, 'badapp.pair.speedscope.json'), { countSamples: false });
    expect(seconds.totalWeight).toBeCloseTo(7.72, 9);
    expect(frameStats(seconds)[0]!.self).toBeCloseTo(765 / 772, 9);
    const other = (exporter: string | undefined) => parseSpeedscope(JSON.stringify({ ...JSON.parse(file(abc, [sampled([[0], [0, 1]], [2.5, 0.5])])), exporter }), 'x.json');
    expect(other(undefined).totalWeight).toBe(3);
    expect(other('speedscope@1.20').totalWeight).toBe(3);
    expect(other('py-spy@0.4.3').totalWeight).toBe(2);
  });

  test('agrees with py-spy raw recorded over the same window: same functions, same files, shares within a point', async () => {
    const speedscope = await readSpeedscope(path.join(samples, 'badapp.pair.speedscope.json'), { fileRoots: [recordedAppRoot] });
    const raw = await readPySpyRaw(path.join(samples, 'badapp.pair.raw.txt'));
    const bySpeedscope = new Map(frameStats(speedscope).map((s) => [frameKey(s.frame), s]));
    const byRaw = new Map(frameStats(raw).map((s) => [frameKey(s.frame), s]));
    expect(frameKey(frameStats(raw)[0]!.frame)).toBe(frameKey(frameStats(speedscope)[0]!.frame));
    expect([speedscope.totalWeight, raw.totalWeight]).toEqual([772, 760]);
    // Two samplers see slightly different moments (772 vs 760 samples): a frame seen once by one may be missing
    // from the other, but every function's share agrees within one percentage point.
    for (const key of new Set([...bySpeedscope.keys(), ...byRaw.keys()])) {
      expect(Math.abs((bySpeedscope.get(key)?.self ?? 0) - (byRaw.get(key)?.self ?? 0)), key).toBeLessThan(0.01);
      expect(Math.abs((bySpeedscope.get(key)?.total ?? 0) - (byRaw.get(key)?.total ?? 0)), key).toBeLessThan(0.01);
    }
    // The hot function, its callers and the standard library are named exactly as the raw reader names them.
    for (const key of ['hash_password (badapp/hashing.py)', 'make_handler.<locals>.Handler.do_GET (badapp/cli/serve.py)', 'BaseHTTPRequestHandler.handle (http/server.py)', 'Thread.run (threading.py)']) {
      expect(bySpeedscope.has(key) && byRaw.has(key), key).toBe(true);
    }
  });

  test("without the app's source root, its frames keep py-spy's absolute path; the standard library is still short", async () => {
    const profile = await readSpeedscope(path.join(samples, 'badapp.pair.speedscope.json'));
    const keys = frameStats(profile).map((s) => frameKey(s.frame));
    expect(keys[0]).toBe(`hash_password (${recordedAppRoot}/badapp/hashing.py)`);
    expect(keys).toContain('BaseHTTPRequestHandler.handle (http/server.py)');
    expect(keys).toContain('_run_code (<frozen runpy>)');
  });

  test.each([
    ['/usr/lib/python3.11/threading.py', [], 'threading.py'],
    ['/usr/lib/python3.11/http/server.py', [], 'http/server.py'],
    ['/venv/lib/python3.12/site-packages/bcrypt/__init__.py', [], 'bcrypt/__init__.py'],
    ['/usr/lib/python3/dist-packages/yaml/loader.py', [], 'yaml/loader.py'],
    ['/opt/py/lib/python3.13t/json/decoder.py', [], 'json/decoder.py'],
    ['C:\\Python311\\Lib\\site-packages\\flask\\app.py', [], 'flask\\app.py'],
    ['C:\\Python311\\Lib\\json\\decoder.py', [], 'json\\decoder.py'],
    ['/home/me/Lib/tool.py', [], '/home/me/Lib/tool.py'],
    ['/usr/lib/python3.11/', [], '/usr/lib/python3.11/'],
    ['<frozen runpy>', [], '<frozen runpy>'],
    ['badapp/hashing.py', [], 'badapp/hashing.py'],
    ['/srv/app/src/badapp/hashing.py', [], '/srv/app/src/badapp/hashing.py'],
    ['/srv/app/src/badapp/hashing.py', ['/srv/app/src/'], 'badapp/hashing.py'],
    ['/srv/app/srcx/badapp/hashing.py', ['/srv/app/src'], '/srv/app/srcx/badapp/hashing.py'],
  ])('short file path: %s (roots %j) -> %s', (file, roots, expected) => {
    expect(shortFile(file, roots)).toBe(expected);
  });

  test('merges every profile into one, keeps file and line, and skips empty stacks', () => {
    const profile = parseSpeedscope(file(abc, [sampled([[0, 1], [0, 1], []], [2, 3, 4]), sampled([[0, 2]], [5])]), 'two-threads.json');
    expect(profile.source).toBe('speedscope (two-threads.json)');
    expect(toCollapsed(profile)).toEqual(['a (m.py:1);b (m.py:2) 5', 'a (m.py:1);c 5']);
    expect(profile.totalWeight).toBe(10);
  });

  test('accepts the nulls serde writers put for absent fields (py-spy writes "col": null)', () => {
    const text = JSON.stringify({
      $schema: SPEEDSCOPE_SCHEMA,
      shared: { frames: [{ name: 'f', file: 'x.py', line: 3, col: null }, { name: 'g', file: null, line: null }] },
      profiles: [sampled([[0, 1]], [1])],
      activeProfileIndex: null,
      exporter: 'py-spy@0.4.3',
      name: null,
    });
    expect(toCollapsed(parseSpeedscope(text, 'nulls.json'))).toEqual(['f (x.py:3);g 1']);
  });

  test('evented profiles: the open frames weigh the time between events', () => {
    const events = [
      { type: 'O', frame: 0, at: 0 },
      { type: 'O', frame: 1, at: 1 },
      { type: 'C', frame: 1, at: 4 },
      { type: 'O', frame: 2, at: 4 },
      { type: 'C', frame: 2, at: 4 }, // zero time: no sample
      { type: 'C', frame: 0, at: 10 },
    ];
    expect(toCollapsed(parseSpeedscope(file(abc, [evented(events)]), 'ev.json'))).toEqual(['a (m.py:1) 7', 'a (m.py:1);b (m.py:2) 3']);
  });

  test('a deep evented trace with many events becomes one sample per distinct stack', () => {
    const depth = 500;
    const frames = Array.from({ length: depth + 1 }, (_, i) => ({ name: `f${i}`, file: 'deep.py', line: i + 1 }));
    const events: object[] = [];
    let at = 0;
    for (let i = 0; i < depth; i++) events.push({ type: 'O', frame: i, at: at++ });
    for (let r = 0; r < 20_000; r++) events.push({ type: 'O', frame: depth, at: at++ }, { type: 'C', frame: depth, at: at++ });
    for (let i = depth - 1; i >= 0; i--) events.push({ type: 'C', frame: i, at: at++ });
    const profile = parseSpeedscope(file(frames, [evented(events)]), 'deep.json');
    expect(profile.samples).toHaveLength(depth + 1);
    expect(profile.totalWeight).toBe(at - 1);
    const self = new Map(frameStats(profile).map((s) => [s.frame.name, s.selfWeight]));
    expect(self.get(`f${depth}`)).toBe(20_000); // open 1 each time
    expect(self.get(`f${depth - 1}`)).toBe(20_001); // between: before the first, between each two, after the last
  });

  test.each([
    ['bad JSON', '{"$schema": "https://www.speedscope.app/file-format-schema.json", "shared"', /profile x\.json: JSON: .*\(not JSON, or truncated\?\)/],
    ['a JSON array (a Chrome trace)', '[{"ph": "X"}]', /top level: expected a speedscope JSON object, got an array/],
    ['another JSON document', '{"schema": "holistic-baseline/1"}', /\$schema: expected "https:\/\/www\.speedscope\.app\/file-format-schema\.json", got none \(not a speedscope file\?\)/],
    ['no frames table', JSON.stringify({ $schema: SPEEDSCOPE_SCHEMA, profiles: [] }), /x\.json: shared: expected object, got nothing \(missing\)/],
    ['a frame without a name', file([{ file: 'a.py' }], []), /shared\.frames\[0\]\.name: expected string, got nothing/],
    ['a fractional line', file([{ name: 'a', line: 1.5 }], []), /shared\.frames\[0\]\.line: /],
    ['an unknown profile type', file(abc, [{ type: 'flat' }]), /profiles\[0\]\.type: expected profile type "sampled" or "evented", got "flat"/],
    ['an unknown unit', file(abc, [{ ...sampled([], []), unit: 'parsecs' }]), /profiles\[0\]\.unit: expected one of .*, got "parsecs"/],
    ['samples and weights of different lengths', file(abc, [sampled([[0], [1]], [1])]), /profiles\[0\]: 2 samples but 1 weights/],
    ['a negative weight', file(abc, [sampled([[0], [1]], [1, -2])]), /profiles\[0\]\.weights\[1\]: expected a finite weight >= 0, got -2/],
    ['an infinite weight', file(abc, [sampled([[0]], [1])]).replace('"weights":[1]', '"weights":[1e999]'), /profiles\[0\]\.weights\[0\]: .*got Infinity/],
    ['a weight that is not a number', file(abc, [sampled([[0]], ['1'])]), /profiles\[0\]\.weights\[0\]: expected a finite weight >= 0, got "1"/],
    ['a frame index out of range', file(abc, [sampled([[0, 1], [0, 1, 2, 99]], [1, 1])]), /profiles\[0\]\.samples\[1\]\[3\]: frame index 99 out of range \(3 frames\)/],
    ['a negative frame index', file(abc, [sampled([[-1]], [1])]), /profiles\[0\]\.samples\[0\]\[0\]: frame index -1 out of range/],
    ['a fractional frame index', file(abc, [sampled([[0.5]], [1])]), /profiles\[0\]\.samples\[0\]\[0\]: expected a frame index, got 0\.5/],
    ['weights that add up to infinity', file(abc, [sampled([[0], [0]], [1e308, 1e308])]), /profiles: the weights add up to Infinity/],
    ['no profiles', file(abc, []), /profiles: no profiles/],
    ['only empty samples', file(abc, [sampled([[], [0]], [1, 0])]), /profiles: no samples with a stack and a weight/],
    ['an unclosed frame', file(abc, [evented([{ type: 'O', frame: 0, at: 0 }, { type: 'O', frame: 1, at: 1 }, { type: 'C', frame: 1, at: 2 }])]), /profiles\[0\]: unbalanced events: 1 frame\(s\) still open at the end \(innermost 0\)/],
    ['a close with nothing open', file(abc, [evented([{ type: 'C', frame: 0, at: 0 }])]), /profiles\[0\]\.events\[0\]: closes frame 0 but no frame is open/],
    ['frames that do not nest', file(abc, [evented([{ type: 'O', frame: 0, at: 0 }, { type: 'O', frame: 1, at: 1 }, { type: 'C', frame: 0, at: 2 }])]), /profiles\[0\]\.events\[2\]: closes frame 0 but the innermost open frame is 1 \(frames must nest\)/],
    ['events out of order', file(abc, [evented([{ type: 'O', frame: 0, at: 5 }, { type: 'C', frame: 0, at: 3 }])]), /profiles\[0\]\.events\[1\]\.at: events out of order: at 3 is before the previous event's 5/],
    ['an event frame out of range', file(abc, [evented([{ type: 'O', frame: 7, at: 0 }])]), /profiles\[0\]\.events\[0\]\.frame: frame index 7 out of range \(3 frames\)/],
    ['an unknown event type', file(abc, [evented([{ type: 'X', frame: 0, at: 0 }])]), /profiles\[0\]\.events\[0\]\.type: expected one of "O"\|"C", got "X"/],
  ])('rejects %s with the file and place', (_what, text, message) => {
    expect(() => parseSpeedscope(text, 'x.json')).toThrow(ProfileParseError);
    expect(() => parseSpeedscope(text, 'x.json')).toThrow(message);
  });

  test('a truncated real recording fails as bad JSON, not as a partial profile', async () => {
    const text = await readFile(path.join(samples, 'badapp.pair.speedscope.json'), 'utf8');
    expect(() => parseSpeedscope(text.slice(0, text.length / 2), 'cut.json')).toThrow(/cannot read profile cut\.json: JSON: .*truncated/);
  });
});

describe('speedscope writer', () => {
  test('the real raw recording written as speedscope reads back the same, file paths and lines included', async () => {
    const raw = await readPySpyRaw(path.join(samples, 'badapp.raw.txt'));
    const text = toSpeedscope(raw);
    const back = parseSpeedscope(text, 'written.json');
    expect(toCollapsed(back)).toEqual(toCollapsed(raw));
    expect(frameStats(back).map((s) => [frameKey(s.frame), s.selfWeight])).toEqual(frameStats(raw).map((s) => [frameKey(s.frame), s.selfWeight]));
  });

  test('writes one sampled profile in the shape speedscope opens: $schema, shared frames, counts as unit "none"', async () => {
    const raw = await readPySpyRaw(path.join(samples, 'badapp.raw.txt'));
    const json = JSON.parse(toSpeedscope(raw, { name: 'bad-app cpu-hotspot' }));
    expect(json.$schema).toBe(SPEEDSCOPE_SCHEMA);
    expect(json.name).toBe('bad-app cpu-hotspot');
    expect(json.profiles).toHaveLength(1);
    expect(json.profiles[0]).toMatchObject({ type: 'sampled', unit: 'none', startValue: 0, endValue: 685 });
    expect(json.profiles[0].samples).toHaveLength(json.profiles[0].weights.length);
    expect(json.shared.frames).toContainEqual({ name: 'hash_password', file: 'badapp/hashing.py', line: 11 });
  });
});
