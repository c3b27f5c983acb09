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
