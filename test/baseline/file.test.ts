/** Bad baseline files stop the run before anything starts, exit 2, and name the problem. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { holistic, test } from '../helpers.js';

describe('bad baselines', () => {
  test.for([
    ['corrupt JSON', '{"schema": "holistic-baseline/1", "scen', /baseline .*bad\.json is not valid JSON \(corrupt or truncated\?\)/],
    ['another schema version', JSON.stringify({ schema: 'holistic-baseline/0', scenario: 'cpu-hotspot' }), /has schema "holistic-baseline\/0", this holistic reads "holistic-baseline\/1": take a new baseline with --save-baseline/],
    ['another scenario', JSON.stringify({ schema: 'holistic-baseline/1', scenario: 'memory-leak' }), /was taken for scenario "memory-leak", not "cpu-hotspot"/],
    ['missing parts', JSON.stringify({ schema: 'holistic-baseline/1', scenario: 'cpu-hotspot', environment: {}, load: null, series: null }), /is corrupt: missing or malformed hotspots/],
  ] as const)('%s exits 2 before the app starts', async ([, content, message], { out }) => {
    const file = path.join(out, 'bad.json');
    await writeFile(file, content);
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--out', out, '--baseline', file]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/starting bad-app/);
  });

  test('a baseline file that does not exist exits 2', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--out', out, '--baseline', path.join(out, 'none.json')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot read baseline .*none\.json: ENOENT/);
  });

  test('--baseline and --save-baseline together is a usage error', async () => {
    const r = await holistic(['run', 'cpu-hotspot', '--baseline', 'a.json', '--save-baseline', 'b.json']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot be used with option '--save-baseline/);
  });
});
