import { describe, expect, test } from 'vitest';
import { holistic } from '../helpers.js';

describe('holistic CLI: usage', () => {
  test('list names every scenario with its story', async () => {
    const r = await holistic(['list']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^cpu-hotspot\s+bad-app under load/m);
  });

  test('an unknown scenario exits 2 and lists the scenarios', async () => {
    const r = await holistic(['run', 'no-such-scenario']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown scenario "no-such-scenario". Scenarios: cpu-hotspot');
  });

  test.each([
    [['run', 'cpu-hotspot', '--duration', '-3'], /--duration.*expected a positive number of seconds/],
    [['run', 'cpu-hotspot', '--port', '65536'], /--port.*'65536' is invalid\. expected a port: an integer from 1 to 65535/],
    [['run', 'cpu-hotspot', '--target', 'mars'], /--target.*Allowed choices are auto, local, container, kind, kube/],
    [['run', 'cpu-hotspot', '--app-env', 'NOEQUALS'], /--app-env expects NAME=VALUE, got "NOEQUALS"/],
    [['run'], /missing required argument 'scenario'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('bad input %j exits 2 with a clear message', async (args, message) => {
    const r = await holistic(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('kind asked for where kind is not installed: a missing prerequisite (3) saying where to get it', async () => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'kind'], { env: { PATH: '/usr/bin:/bin' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('kind is not installed: see https://kind.sigs.k8s.io/');
  });
});

describe('holistic inspect: a profile taken anywhere', () => {
  const sample = (name: string) => `test/samples/${name}`;

  test('raw, speedscope and SVG recordings of bad-app all name hash_password first, at the same share', async () => {
    const shares: number[] = [];
    for (const [file, format] of [
      ['badapp.pair.raw.txt', 'pyspy-raw'],
      ['badapp.pair.speedscope.json', 'speedscope'],
      ['badapp.concurrent.svg', 'flamegraph-svg'],
    ] as const) {
      // The speedscope sample was recorded from a worktree at this path (test/samples/README.md).
      const r = await holistic(['inspect', sample(file), '--json', '--top', '3', '--file-root', '/work/wt-speedscope/app/src']);
      expect(r.exitCode, r.all).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.format).toBe(format);
      expect(result.hotspots).toHaveLength(3);
      expect(result.hotspots[0]).toMatchObject({ name: 'hash_password', file: 'badapp/hashing.py' });
      shares.push(result.hotspots[0].self);
    }
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThan(0.01);
  });

  test('--expect-hotspot gates like a scenario: exit 0 when it holds, 1 with where the time went when not', async () => {
    const ok = await holistic(['inspect', sample('badapp.raw.txt'), '--expect-hotspot', 'hash_password', '--min-share', '0.9']);
    expect(ok.exitCode, ok.all).toBe(0);
    expect(ok.stdout).toMatch(/^PASS hotspot hash_password: expected self share >= 90%, ranked first by self share; got 98\.8% /m);
    const bad = await holistic(['inspect', sample('badapp.raw.txt'), '--expect-hotspot', 'select']);
    expect(bad.exitCode, bad.all).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL hotspot select: .*top frame hash_password \(badapp\/hashing\.py\) at 98\.8%$/m);
  });

  test.each([
    [['inspect', 'test/samples/badapp.dump.txt'], /cannot read profile .*badapp\.dump\.txt: line 1: this is a py-spy dump .*record one with `py-spy record/],
    [['inspect', '/nonexistent/profile.txt'], /cannot read profile \/nonexistent\/profile\.txt: file: ENOENT/],
    [['inspect', 'package.json'], /cannot read profile package\.json: .*speedscope/],
    [['inspect', 'test/samples/badapp.raw.txt', '--min-share', '1.5'], /--min-share.*expected a share between 0 and 1/],
    [['inspect', 'test/samples/badapp.raw.txt', '--top', '0'], /--top.*expected a whole number >= 1/],
  ])('unreadable or wrong input %j exits 2 saying what is wrong', async (args, message) => {
    const r = await holistic(args);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
