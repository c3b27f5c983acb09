/**
 * The profile readers under property-based testing (fast-check): generated valid inputs must read back exactly,
 * and mutated or arbitrary inputs must either read or fail with a ProfileParseError naming the file — never
 * another exception, never a hang (the test timeout bounds it). The speedscope writer must round-trip, and
 * readProfile, which picks the reader by content, must keep the same promise on any text.
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { frameLabel, ProfileBuilder, toCollapsed, type FrameInfo } from '../../harness/profile/model.js';
import { parseFlamegraphSvg } from '../../harness/profile/flamegraph-svg.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { parsePySpyDump } from '../../harness/profile/pyspy-dump.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { parseProfile } from '../../harness/profile/read.js';
import { parseSpeedscope, SPEEDSCOPE_SCHEMA, toSpeedscope } from '../../harness/profile/speedscope.js';

const runs = Number(process.env.HOLISTIC_FUZZ_RUNS ?? 10_000);
const samples = path.join(import.meta.dirname, '..', 'samples');

/** A frame as py-spy prints it: `name (file:line)`, names with dots, <angle brackets>, spaces. */
const frameText = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z_<][\w.<>]{0,20}( [\w<>]{1,8})?$/),
    file: fc.stringMatching(/^[\w/.<> -]{1,24}$/).filter((f) => !f.includes('(') && !f.includes(')') && f.trim() === f),
    line: fc.integer({ min: 1, max: 99_999 }),
  })
  .map(({ name, file, line }) => `${name} (${file}:${line})`);

const rawProfile = fc.array(fc.record({ stack: fc.array(frameText, { minLength: 1, maxLength: 12 }), weight: fc.integer({ min: 1, max: 1e6 }) }), {
  minLength: 1,
  maxLength: 30,
});

/**
 * A speedscope frame. Files are relative (as py-spy's raw output prints them), so the reader's shortening of
 * absolute paths leaves them alone and the expected labels are the generated ones.
 */
const speedscopeFrame = fc.record(
  {
    name: fc.oneof(fc.stringMatching(/^[A-Za-z_<][\w.<>]{0,20}$/), fc.string({ minLength: 1, maxLength: 12 })),
    file: fc.oneof(fc.constant(null), fc.stringMatching(/^[\w.<>-][\w/.<> -]{0,23}$/)),
    line: fc.oneof(fc.constant(null), fc.nat({ max: 99_999 })),
    col: fc.constant(null),
  },
  { requiredKeys: ['name'] },
);
type GeneratedFrame = { name: string; file?: string | null; line?: number | null };
const labelOf = (f: GeneratedFrame): string => frameLabel({ name: f.name, ...(f.file != null ? { file: f.file, ...(f.line != null ? { line: f.line } : {}) } : {}) });
const weightValue = fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0, max: 1e6, noNaN: true }));

/** A valid speedscope file (sampled and evented profiles) and the collapsed lines it must read as. */
const speedscopeFile = fc.array(speedscopeFrame, { minLength: 1, maxLength: 12 }).chain((frames) => {
  const index = fc.nat({ max: frames.length - 1 });
  const sampledProfile = fc
    .array(fc.tuple(fc.array(index, { maxLength: 10 }), weightValue), { maxLength: 20 })
    .map((pairs) => ({ type: 'sampled' as const, name: 'thread', unit: 'seconds', startValue: 0, endValue: 1, samples: pairs.map((p) => p[0]), weights: pairs.map((p) => p[1]) }));
  // Opens, closes and waits; closes with nothing open are dropped and what is left open is closed at the end.
  const eventedProfile = fc
    .array(fc.oneof(fc.record({ open: index }), fc.record({ close: fc.constant(true) }), fc.record({ wait: fc.nat({ max: 1000 }) })), { maxLength: 30 })
    .map((steps) => {
      let at = 0;
      const open: number[] = [];
      const events: { type: 'O' | 'C'; frame: number; at: number }[] = [];
      for (const step of steps) {
        if ('wait' in step) at += step.wait;
        else if ('open' in step) (open.push(step.open), events.push({ type: 'O', frame: step.open, at }));
        else if (open.length > 0) events.push({ type: 'C', frame: open.pop()!, at });
      }
      while (open.length > 0) events.push({ type: 'C', frame: open.pop()!, at: (at += 1) });
      return { type: 'evented' as const, name: 'trace', unit: 'milliseconds', startValue: 0, endValue: at, events };
    });
  return fc.array(fc.oneof(sampledProfile, eventedProfile), { minLength: 1, maxLength: 4 }).map((profiles) => {
    // The oracle: collapsed stacks straight from the generated data, in file order.
    const merged = new Map<string, number>();
    const add = (stack: number[], weight: number) => {
      if (stack.length === 0 || weight === 0) return;
      const key = stack.map((i) => labelOf(frames[i]!)).join(';');
      merged.set(key, (merged.get(key) ?? 0) + weight);
    };
    for (const p of profiles) {
      if (p.type === 'sampled') p.samples.forEach((stack, i) => add(stack, p.weights[i]!));
      else {
        const open: number[] = [];
        let last = 0;
        for (const e of p.events) {
          add(open, e.at - last);
          last = e.at;
          if (e.type === 'O') open.push(e.frame);
          else open.pop();
        }
      }
    }
    const text = JSON.stringify({ $schema: SPEEDSCOPE_SCHEMA, shared: { frames }, profiles, exporter: 'fuzz', activeProfileIndex: null });
    return { text, expected: [...merged].map(([k, w]) => `${k} ${w}`).sort() };
  });
});

/** Every place in a JSON document, as a path of keys and indices. */
function jsonPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => jsonPaths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonPaths(v, [...prefix, k], out);
  return out;
}

/** Values a broken writer or a hand edit puts where a frame index, weight, time or name goes. */
const INFINITY = '__infinity__';
const replacementValue = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1e308, -1e308, 2 ** 53, 99_999, null, '', '0', [], {}, [[]], true, INFINITY, 'O', 'C', 'sampled', 'evented', SPEEDSCOPE_SCHEMA),
  fc.jsonValue({ maxDepth: 2 }),
);

/** The document with the value at `at` replaced (the root when `at` is empty), as text; 1e999 reads as Infinity. */
function replaced(document: unknown, at: (string | number)[], value: unknown): string {
  if (at.length === 0) return JSON.stringify(value).replaceAll(`"${INFINITY}"`, '1e999');
  const parent = at.slice(0, -1).reduce((node: any, key) => node[key], document);
  const key = at[at.length - 1]!;
  const before = parent[key];
  parent[key] = value;
  try {
    return JSON.stringify(document).replaceAll(`"${INFINITY}"`, '1e999');
  } finally {
    parent[key] = before;
  }
}

/**
 * The same stacks with the same weights. Generated weights are doubles: summed in another order (the reader
 * merges per stack, the expectation per event) they may differ in the last bits (CI: 4.000000000000672 vs
 * 4.0000000000006715), so weights compare to 1e-9 relative; the stacks exactly.
 */
function expectSameStacks(actual: string[], expected: string[]): void {
  const split = (line: string) => {
    const at = line.lastIndexOf(' ');
    return { stack: line.slice(0, at), weight: Number(line.slice(at + 1)) };
  };
  const a = actual.map(split);
  const e = expected.map(split);
  expect(a.map((x) => x.stack)).toEqual(e.map((x) => x.stack));
  a.forEach((x, i) => expect(Math.abs(x.weight - e[i]!.weight)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e[i]!.weight))));
}

/** Either a result or a ProfileParseError that names the file: anything else is a bug. */
function readsOrExplains(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    if (!(error instanceof ProfileParseError)) throw error;
    expect(error.message).toMatch(/^cannot read profile fuzz-input: /);
  }
}

async function readsOrExplainsAsync(read: () => Promise<unknown>): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (!(error instanceof ProfileParseError)) throw error;
    expect(error.message).toMatch(/^cannot read profile fuzz-input: /);
  }
}

/** Mutations of a real file: cut it, flip characters, duplicate or drop a slice. */
function mutated(text: string) {
  return fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 6 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i + s.length)),
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 200 })).map(([i, n]) => text.slice(0, i) + text.slice(i + n)),
    fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 200 })).map(([i, n]) => text.slice(0, i) + text.slice(i, i + n) + text.slice(i)),
  );
}

describe(`profile readers under fuzzing (${runs} cases each)`, () => {
  test('py-spy raw: every generated profile reads back exactly', () => {
    fc.assert(
      fc.property(rawProfile, (profile) => {
        const text = profile.map((s) => `${s.stack.join(';')} ${s.weight}`).join('\n') + '\n';
        const merged = new Map<string, number>();
        for (const s of profile) merged.set(s.stack.join(';'), (merged.get(s.stack.join(';')) ?? 0) + s.weight);
        const expected = [...merged].map(([k, w]) => `${k} ${w}`).sort();
        expect(toCollapsed(parsePySpyRaw(text, 'fuzz-input'))).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });

  test('py-spy raw: arbitrary and mutated text reads or fails with the file and line', async () => {
    const real = await readFile(path.join(samples, 'badapp.raw.txt'), 'utf8');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), mutated(real)), (text) => {
        readsOrExplains(() => parsePySpyRaw(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  });

  test('flame graph SVG: mutated py-spy and inferno SVGs read or fail with the file and place', async () => {
    const sources = await Promise.all(
      // Small flame graphs (script and style stripped): mutations then hit the structure, not the JavaScript.
      ['small.inferno.svg', 'small.inferno-inverted.svg'].map((f) => readFile(path.join(samples, f), 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(...sources.map(mutated), fc.string({ maxLength: 200 }).map((s) => `<svg>${s}</svg>`)), async (text) => {
        await readsOrExplainsAsync(() => parseFlamegraphSvg(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  }, 600_000);

  test('py-spy dump: generated dumps read back; mutated ones read or fail clearly', async () => {
    const thread = fc.record({
      id: fc.oneof(fc.integer({ min: 1, max: 99_999 }).map(String), fc.stringMatching(/^0x[0-9A-F]{6,12}$/)),
      status: fc.constantFrom('idle', 'active', 'active+gil', 'gil'),
      name: fc.stringMatching(/^[\w ()-]{0,30}$/),
      frames: fc.array(frameText, { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(thread, { minLength: 1, maxLength: 6 }), (threads) => {
        const text =
          'Process 1: /usr/bin/python3.11 /app/badapp.pyz\nPython v3.11.2 (/usr/bin/python3.11)\n\n' +
          threads.map((t) => [`Thread ${t.id} (${t.status}): "${t.name}"`, ...t.frames.map((f) => `    ${f}`)].join('\n')).join('\n') +
          '\n';
        const dump = parsePySpyDump(text, 'fuzz-input');
        expect(dump.threads.map((t) => [t.id, t.status, t.name, t.frames.length])).toEqual(threads.map((t) => [t.id, t.status, t.name, t.frames.length]));
      }),
      { numRuns: runs },
    );
    const real = await readFile(path.join(samples, 'badapp.dump-locals.txt'), 'utf8');
    fc.assert(
      fc.property(fc.oneof(mutated(real), fc.string({ maxLength: 200 })), (text) => {
        readsOrExplains(() => parsePySpyDump(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  });
  test('speedscope: every generated file (sampled and evented profiles) reads as its stacks, merged', () => {
    fc.assert(
      fc.property(speedscopeFile, ({ text, expected }) => {
        if (expected.length === 0) {
          expect(() => parseSpeedscope(text, 'fuzz-input')).toThrow(/cannot read profile fuzz-input: profiles: no samples/);
        } else {
          expectSameStacks(toCollapsed(parseSpeedscope(text, 'fuzz-input')), expected);
        }
      }),
      { numRuns: runs },
    );
  });

  test('speedscope: toSpeedscope then parseSpeedscope gives back every generated profile', () => {
    const frame = fc.record(
      { name: fc.string({ minLength: 1, maxLength: 12 }), file: fc.stringMatching(/^[\w.<>-][\w/.<> -]{0,23}$/), line: fc.nat({ max: 99_999 }) },
      { requiredKeys: ['name'] },
    );
    const stacks = fc.array(fc.record({ stack: fc.array(frame, { minLength: 1, maxLength: 10 }), weight: weightValue }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(stacks, (generated) => {
        const builder = new ProfileBuilder('generated');
        for (const { stack, weight } of generated) builder.appendSample(stack as FrameInfo[], weight);
        const profile = builder.build();
        fc.pre(profile.samples.length > 0);
        expect(toCollapsed(parseSpeedscope(toSpeedscope(profile), 'fuzz-input'))).toEqual(toCollapsed(profile));
      }),
      { numRuns: runs },
    );
  });

  test('speedscope: mutated and truncated text of a real py-spy recording reads or fails with the file and place', async () => {
    const real = await readFile(path.join(samples, 'badapp.pair.speedscope.json'), 'utf8');
    fc.assert(
      fc.property(fc.oneof(mutated(real), fc.string({ maxLength: 200 }).map((s) => `{"$schema":"${SPEEDSCOPE_SCHEMA}",${s}`)), (text) => {
        readsOrExplains(() => parseSpeedscope(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  });

  test('speedscope: any JSON value put anywhere in a real or generated file reads or fails with the file and place', async () => {
    const real = JSON.parse(await readFile(path.join(samples, 'badapp.pair.speedscope.json'), 'utf8'));
    const realPaths = jsonPaths(real);
    const inReal = fc.tuple(fc.nat({ max: realPaths.length - 1 }), replacementValue).map(([i, value]) => replaced(real, realPaths[i]!, value));
    const inGenerated = speedscopeFile.chain(({ text }) => {
      const document = JSON.parse(text);
      const paths = jsonPaths(document);
      return fc.tuple(fc.nat({ max: paths.length - 1 }), replacementValue).map(([i, value]) => replaced(document, paths[i]!, value));
    });
    fc.assert(
      fc.property(fc.oneof(inReal, inGenerated), (text) => {
        readsOrExplains(() => parseSpeedscope(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  });

  test('readProfile: whatever the text (any format, mutated), a Profile or a ProfileParseError', async () => {
    const seeds = await Promise.all(
      ['badapp.pair.speedscope.json', 'small.raw.txt', 'small.inferno.svg', 'badapp.dump.txt'].map((f) => readFile(path.join(samples, f), 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(...seeds.map(mutated), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
        await readsOrExplainsAsync(() => parseProfile(text, 'fuzz-input'));
      }),
      { numRuns: runs },
    );
  }, 600_000);
});
