/**
 * k6 cannot be installed on these machines, so what can be checked is checked: the scripts type-check against
 * @types/k6 with their own tsconfig, k6's end-of-test summary (a document of the real shape) maps to the same
 * LoadResult as autocannon, and a scenario that needs k6 exits 3 with a clear message when it is missing.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { summarizeK6, type K6SummaryData } from '../../harness/load/k6-summary.js';
import { projectRoot } from '../../harness/paths.js';
import { holistic } from '../helpers.js';

describe('k6', () => {
  test('the k6 scripts type-check against @types/k6', async () => {
    const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await execa(process.execPath, [tsc, '-p', path.join(projectRoot, 'scenarios', 'k6', 'tsconfig.json')], { reject: false, timeout: 120_000, all: true });
    expect(r.exitCode, r.all).toBe(0);
  });

  test('its handleSummary data maps to the LoadResult autocannon gives', async () => {
    const data = JSON.parse(await readFile(path.join(projectRoot, 'test', 'samples', 'k6-summary.json'), 'utf8')) as K6SummaryData;
    expect(summarizeK6(data, { url: 'http://127.0.0.1:1/', connections: 2 })).toEqual({
      generator: 'k6',
      url: 'http://127.0.0.1:1/',
      connections: 2,
      duration_s: 5.012,
      requests: 42,
      rps: 8.38,
      p50_ms: 219.833,
      p90_ms: 251.707,
      p99_ms: 396.002,
      max_ms: 402.11,
      errors: 1,
      timeouts: 0,
      non2xx: 0,
    });
  });

  test('a summary without the percentiles the harness needs names the flag to add', () => {
    const data: K6SummaryData = {
      state: { testRunDurationMs: 1000 },
      metrics: { http_reqs: { type: 'counter', values: { count: 1, rate: 1 } }, http_req_duration: { type: 'trend', values: { med: 1, max: 1, 'p(90)': 1 } } },
    };
    expect(() => summarizeK6(data, { url: 'u', connections: 1 }, 's.json')).toThrow('s.json: http_req_duration has no "p(99)" (run k6 with --summary-trend-stats including it)');
  });

  test('a k6 scenario without a k6 binary exits 3 before anything starts', async () => {
    const r = await holistic(['run', 'cpu-hotspot-k6', '--target', 'local', '--out', '/tmp/holistic-k6-none']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/this scenario loads the app with k6, but no `k6` binary is on PATH\. Install k6 >= 0\.57/);
    expect(r.stderr).not.toMatch(/starting bad-app/);
  });
});
