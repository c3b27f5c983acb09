/**
 * The regression gate end to end on the local target, through the CLI as CI runs it: a baseline taken at
 * bad-app's default bcrypt cost (12), then the planted regression (13: twice the work per request) must fail
 * with a line that says what moved, by how much and how sure; the run's observer effect, junit.xml and the
 * GitHub step summary carry it. (The unchanged case's pass rate is measured by `npm run bench`, 10 trials.)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { holistic, readSummary, test } from '../helpers.js';
import { readdir } from 'node:fs/promises';

describe('regression gate on the local target', () => {
  test('a baseline at bcrypt cost 12, then cost 13: the gate fails on CPU per request and says by how much', async ({ out }) => {
    const baseline = path.join(out, 'baseline.json');
    const saved = await holistic(['run', 'cpu-hotspot', '--target', 'local', '--duration', '4', '--out', path.join(out, 'base'), '--save-baseline', baseline]);
    expect(saved.exitCode, saved.all).toBe(0);
    expect(saved.stderr).toContain(`baseline saved: ${baseline}`);
    const stored = JSON.parse(await readFile(baseline, 'utf8'));
    expect(stored).toMatchObject({ schema: 'holistic-baseline/1', scenario: 'cpu-hotspot', environment: { target: 'local', cores: expect.any(String) } });
    expect(stored.series.app_cpu_s).toBeGreaterThan(0);

    const stepSummary = path.join(out, 'step-summary.md');
    const r = await holistic(
      ['run', 'cpu-hotspot', '--target', 'local', '--duration', '4', '--out', path.join(out, 'regressed'), '--baseline', baseline, '--app-env', 'BADAPP_BCRYPT_ROUNDS=13'],
      { env: { GITHUB_STEP_SUMMARY: stepSummary } },
    );
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(/^FAIL cpu per request vs baseline: expected rise <= 25\.0% vs baseline \(beyond the \/proc tick bound\); got regressed: \+\d+\.\d% \([\d.]+ -> [\d.]+ CPU ms; tick bound \+\d+\.\d% \.\. \+\d+\.\d%\)$/m);
    expect(r.stdout).toMatch(/^PASS hotspot hash_password \(badapp\/hashing\.py\) vs baseline: /m);
    expect(r.stdout).toMatch(/^INFO throughput vs baseline \(not gated\): /m);
    expect(r.stderr).toMatch(/environment differs from the baseline's .*app env BADAPP_BCRYPT_ROUNDS: \(unset\) -> 13/);

    const runs = path.join(out, 'regressed');
    const runDir = path.join(runs, (await readdir(runs))[0]!);
    const summary = await readSummary(runDir);
    expect(summary.verdict).toBe('fail');
    const cpu = summary.baseline!.comparisons.find((c) => c.metric === 'cpu per request')!;
    expect(cpu).toMatchObject({ outcome: 'regressed', gated: true });
    expect(cpu.change).toBeGreaterThan(0.6); // twice the work: about +100%
    // The observer effect is in every summary and report.
    expect(summary.observer).toMatchObject({ rps_ratio: expect.any(Number), p99_ratio: expect.any(Number), sampling: { mode: 'nonblocking', samplers: 2, rate_hz: 100 } });
    expect(await readFile(path.join(runDir, 'report.html'), 'utf8')).toMatch(/<section id="observer">.*py-spy nonblocking, 2 samplers at 100 Hz; the samplers used [\d.]+ CPU cores/s);
    expect(await readFile(path.join(runDir, 'junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="cpu per request vs baseline"[^>]*><failure message="expected rise &lt;= 25\.0%/);
    const md = await readFile(stepSummary, 'utf8');
    expect(md).toMatch(/^### ❌ holistic: cpu-hotspot on local — FAIL$/m);
    expect(md).toMatch(/^\| ❌ \| cpu per request vs baseline \| /m);
    expect(md).toMatch(/\*\*Observer effect\*\* \(profiled \/ unprofiled, py-spy nonblocking, 2 samplers\): throughput ×[\d.]+, p99 ×[\d.]+/);
  });
});

// On a pod the harness does not know the app's host PID: the CPU time is read from /proc inside the debug
// session (which shares the app's PID namespace), so the default gate works on any cluster.
describe.skipIf(!process.env.HOLISTIC_KUBECONFIG)('regression gate on the kube target', () => {
  test('CPU per request read through the ephemeral container: cost 13 against a cost-12 baseline fails the gate', async ({ out }) => {
    const env = { KUBECONFIG: process.env.HOLISTIC_KUBECONFIG! };
    const baseline = path.join(out, 'baseline.json');
    const saved = await holistic(['run', 'cpu-hotspot', '--target', 'kube', '--duration', '4', '--out', path.join(out, 'base'), '--save-baseline', baseline], { env });
    expect(saved.exitCode, saved.all).toBe(0);
    const stored = JSON.parse(await readFile(baseline, 'utf8'));
    expect(stored.environment.target).toBe('kube');
    // bcrypt at cost 12 takes roughly 0.2 s of CPU per request; the read must be of that order, not noise.
    expect(stored.load.app_cpu_ms_per_request).toBeGreaterThan(50);
    expect(stored.load.app_cpu_ms_per_request).toBeLessThan(2000);

    const r = await holistic(
      ['run', 'cpu-hotspot', '--target', 'kube', '--duration', '4', '--out', path.join(out, 'regressed'), '--baseline', baseline, '--app-env', 'BADAPP_BCRYPT_ROUNDS=13'],
      { env },
    );
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(/^FAIL cpu per request vs baseline: expected rise <= 25\.0% vs baseline .*got regressed: \+\d+\.\d%/m);
    const runs = path.join(out, 'regressed');
    const summary = await readSummary(path.join(runs, (await readdir(runs))[0]!));
    const cpu = summary.baseline!.comparisons.find((c) => c.metric === 'cpu per request')!;
    expect(cpu).toMatchObject({ outcome: 'regressed', gated: true });
    expect(cpu.change).toBeGreaterThan(0.6);
  });
});
