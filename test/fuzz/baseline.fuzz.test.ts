/**
 * Baseline files under fuzzing: a baseline is user input (it travels between CI runs as an artifact). Mutated
 * text or values must either load and then compare without crashing, or fail as a usage error (exit 2) that
 * names the file — never another exception.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../harness/errors.js';
import { BASELINE_SCHEMA, parseBaseline, type Baseline } from '../../harness/baseline/file.js';
import { gate } from '../../harness/baseline/gate.js';

// Each accepted case runs the whole comparison (a bootstrap): thousands, not tens of thousands.
const runs = Number(process.env.HOLISTIC_FUZZ_RUNS ?? 3_000);

const valid: Baseline = {
  schema: BASELINE_SCHEMA,
  scenario: 'cpu-hotspot',
  createdAt: '2026-11-27T00:00:00.000Z',
  runId: 'cpu-hotspot-1',
  environment: { target: 'local', cores: '2' },
  load: { generator: 'autocannon', url: 'http://127.0.0.1:1/', connections: 2, duration_s: 5, requests: 40, rps: 8, p50_ms: 210, p90_ms: 230, p99_ms: 250, max_ms: 260, errors: 0, timeouts: 0, non2xx: 0, app_cpu_ms_per_request: 240 },
  series: { per_second: [8, 8, 9, 7, 8], latencies_ms: Array.from({ length: 40 }, (_, i) => 200 + i), latencies_seen: 40, app_cpu_s: 9.6, requests_sent: 40 },
  hotspots: { totalSamples: 1000, frames: [{ name: 'hash_password', file: 'badapp/hashing.py', samples: 990 }, { name: 'select', file: 'selectors.py', samples: 10 }] },
};
const current = { series: valid.series, load: valid.load, hotspots: valid.hotspots, durationS: 5, environment: valid.environment };

function loadsAndCompares(text: string): void {
  let baseline: Baseline;
  try {
    baseline = parseBaseline(text, 'fuzz.json', 'cpu-hotspot');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    expect(error.message).toMatch(/baseline fuzz\.json /);
    return;
  }
  try {
    gate('fuzz.json', baseline, current, undefined);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
  }
}

/** Paths into the valid baseline, to replace one value with anything JSON can hold. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}
const allPaths = paths(valid).filter((p) => p.length > 0);

function replaced(path: (string | number)[], next: unknown): unknown {
  const copy = structuredClone(valid) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = next;
  return copy;
}

describe(`baseline files under fuzzing (${runs} cases each)`, () => {
  test('one value replaced by any JSON value: loads and compares, or exits 2', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allPaths), fc.jsonValue({ maxDepth: 2 }), (path, next) => {
        loadsAndCompares(JSON.stringify(replaced(path, next)));
      }),
      { numRuns: runs },
    );
  });

  test('mutated text: loads and compares, or exits 2', () => {
    const text = JSON.stringify(valid);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
          fc.tuple(fc.nat({ max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 4 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i + s.length)),
        ),
        (mutated) => loadsAndCompares(mutated),
      ),
      { numRuns: runs },
    );
  });
});
