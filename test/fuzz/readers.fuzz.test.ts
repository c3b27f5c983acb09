/**
 * The profile readers under property-based testing (fast-check): generated valid inputs must read back exactly,
 * and mutated or arbitrary inputs must either read or fail with a ProfileParseError naming the file — never
 * another exception, never a hang (the test timeout bounds it).
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { toCollapsed } from '../../harness/profile/model.js';
import { parseFlamegraphSvg } from '../../harness/profile/flamegraph-svg.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { parsePySpyDump } from '../../harness/profile/pyspy-dump.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

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
});
